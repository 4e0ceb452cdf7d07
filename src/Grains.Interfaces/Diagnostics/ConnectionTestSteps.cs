namespace AlarmInbox.Grains.Interfaces.Diagnostics;

/// <summary>The names of the connection test's steps, in the order they run.</summary>
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

    /// <summary>All steps in order.</summary>
    public static IReadOnlyList<string> All { get; } = [Validate, Tcp, Tls, Token, TokenSanity, Authenticate, Select, Search];
}
