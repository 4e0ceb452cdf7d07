namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>How the connection to the IMAP server is secured.</summary>
[GenerateSerializer]
[Alias("alarminbox.MailboxSecurity")]
public enum MailboxSecurity
{
    /// <summary>TLS from the first byte (IMAPS, usually port 993).</summary>
    SslOnConnect = 0,

    /// <summary>Plain connection upgraded with STARTTLS (RFC 3501 section 6.2.1, usually port 143); refused if the server does not offer it.</summary>
    StartTls = 1,

    /// <summary>No encryption at all. Only for servers on a trusted local network or loopback.</summary>
    None = 2,
}
