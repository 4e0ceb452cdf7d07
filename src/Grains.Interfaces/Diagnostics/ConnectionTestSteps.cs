namespace AlarmInbox.Grains.Interfaces.Diagnostics;

/// <summary>The names of the connection test's steps, in the order they run: <see cref="All"/> for IMAP mailboxes, <see cref="Graph"/> for <c>authType</c> Graph.</summary>
public static class ConnectionTestSteps
{
    /// <summary>The settings are checked like a create would check them.</summary>
    public const string Validate = "validate";

    /// <summary>DNS lookup and TCP connect to host:port.</summary>
    public const string Tcp = "tcp";

    /// <summary>TLS handshake with full certificate validation (SslOnConnect), or STARTTLS (StartTls).</summary>
    public const string Tls = "tls";

    /// <summary>Token request to Entra ID (Office365 only).</summary>
    public const string Token = "token";

    /// <summary>The token's claims: audience Exchange Online, role IMAP.AccessAsApp, tenant (Office365 only).</summary>
    public const string TokenSanity = "token_sanity";

    /// <summary>IMAP greeting and login (SASL XOAUTH2 for Office365, password otherwise).</summary>
    public const string Authenticate = "authenticate";

    /// <summary>The folder is opened read-only (EXAMINE).</summary>
    public const string Select = "select";

    /// <summary>A UID SEARCH in the folder, as every poll does.</summary>
    public const string Search = "search";

    /// <summary>Graph: the mailbox is looked up through Microsoft Graph (its Inbox, which needs the app's mail permission on this mailbox).</summary>
    public const string Mailbox = "mailbox";

    /// <summary>Graph: the configured folder path is resolved to a folder.</summary>
    public const string Folder = "folder";

    /// <summary>Graph: one delta round of the folder's messages, as the first poll does (nothing is fetched or stored).</summary>
    public const string Delta = "delta";

    /// <summary>All steps of an IMAP mailbox's test, in order.</summary>
    public static IReadOnlyList<string> All { get; } = [Validate, Tcp, Tls, Token, TokenSanity, Authenticate, Select, Search];

    /// <summary>All steps of a Graph mailbox's test, in order (token_sanity: audience Microsoft Graph, and whether the Mail.Read role is tenant-wide).</summary>
    public static IReadOnlyList<string> Graph { get; } = [Validate, Token, TokenSanity, Mailbox, Folder, Delta];
}
