namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>How AlarmInbox logs in to the mailbox. In JSON: <c>Password</c> or <c>Office365</c> (requests accept any letter case).</summary>
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
}
