namespace AlarmInbox.Grains.Imap;

/// <summary>Timeouts and limits of IMAP access; section <c>AlarmInbox:Imap</c>.</summary>
public sealed class ImapOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Imap";

    /// <summary>Longest time for TCP connect, TLS handshake, greeting and login together.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Connection test: how long a server may take to send its plain-text greeting after the TCP connect (security
    /// StartTls or None) before the test reports that the port expects TLS at once (port 993: SslOnConnect), instead of
    /// waiting for the whole connect timeout.
    /// </summary>
    public TimeSpan GreetingTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest time the server may take to answer one command.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Messages fetched per batched FETCH command.</summary>
    public int FetchBatchSize { get; set; } = 100;

    /// <summary>
    /// The largest message read whole, in bytes (RFC822.SIZE); default 25 MiB, the SMTP listener's limit
    /// (<c>AlarmInbox:Smtp:MaxMessageBytes</c>). A larger message is read only up to this many bytes (a partial fetch,
    /// <c>BODY.PEEK[]&lt;0.n&gt;</c>, RFC 3501 section 6.4.5): its headers and the text before its attachments give the
    /// alarm, and it is stored flagged <c>size</c> with its real size. It is handed over once like every other mail.
    /// The same number bounds what one FETCH brings into memory: the messages of a batch are fetched in parts of at most
    /// this many bytes, and no literal the server sends is kept beyond it, whatever size the server announced.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Most messages one poll stores; the rest follows in an immediate next poll, so that one grain turn stays short.</summary>
    public int MaxMessagesPerPoll { get; set; } = 1_000;

    /// <summary>
    /// Most connection attempts and logins (connect, TLS, login, EXAMINE) this silo runs at the same time against one mail
    /// server host; further ones wait in arrival order. Open sessions do not count. Default 8: low enough that a silo start
    /// with thousands of mailboxes does not look like an attack to a hosted server, high enough for about 150 logins per
    /// second at Exchange Online's typical 50 ms.
    /// </summary>
    public int MaxConcurrentLoginsPerHost { get; set; } = 8;

    /// <summary>Most polls waiting for a login turn per host; a poll beyond that fails at once with <c>server_busy</c> and retries after a backoff.</summary>
    public int MaxQueuedLoginsPerHost { get; set; } = 100_000;

    /// <summary>Longest time a poll waits for its login turn before it fails with <c>server_busy</c> (and retries after a backoff).</summary>
    public TimeSpan LoginQueueTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
