namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>How AlarmInbox logs in to the mailbox. In JSON: <c>Password</c>, <c>Office365</c> or <c>Graph</c> (requests accept any letter case).</summary>
[GenerateSerializer]
[Alias("alarminbox.MailboxAuthType")]
public enum MailboxAuthType
{
    /// <summary>IMAP LOGIN/AUTHENTICATE PLAIN with a user name and password.</summary>
    Password = 0,

    /// <summary>
    /// Microsoft 365 app-only access: a token from Microsoft Entra ID by the OAuth 2.0 client credentials grant,
    /// presented with SASL XOAUTH2 (the Google/Microsoft mechanism in the style of RFC 7628). See <c>docs/office365.md</c>.
    /// </summary>
    Office365 = 1,

    /// <summary>
    /// Microsoft 365 app-only access through Microsoft Graph instead of IMAP (for tenants that switch IMAP off): a token
    /// for <c>https://graph.microsoft.com/.default</c> by the client credentials grant, the folder read by delta query and
    /// each new message as raw MIME. Same app registration settings as <see cref="Office365"/>. See <c>docs/graph.md</c>.
    /// </summary>
    Graph = 2,
}
