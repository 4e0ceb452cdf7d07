namespace AlarmInbox.Silo.Smtp;

/// <summary>The SMTP listener of the silo; section <c>AlarmInbox:Smtp</c> (the address domain is <c>AlarmInbox:Smtp:Domain</c>, see <c>InboundAddressOptions</c>).</summary>
public sealed class SmtpOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Smtp";

    /// <summary>Whether the silo listens for SMTP at all. Inbound addresses can be managed either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The TCP port (RFC 5321 section 4.5.4; 25 in production behind the MX record, 2525 for development).</summary>
    public int Port { get; set; } = 2525;

    /// <summary>The IP address to bind to; <c>0.0.0.0</c> (all IPv4 interfaces) by default.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>The host name in the greeting and EHLO reply; the machine name when empty.</summary>
    public string? ServerName { get; set; }

    /// <summary>The largest message accepted, in bytes (SIZE extension, RFC 1870); larger ones are refused with 552. 25 MiB by default.</summary>
    public int MaxMessageBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>The most recipients (RCPT TO) per message; more are refused with 452 (RFC 5321 section 4.5.3.1.10).</summary>
    public int MaxRecipientsPerMessage { get; set; } = 10;

    /// <summary>The most concurrent SMTP sessions per silo; further sessions get 421 and are closed.</summary>
    public int MaxConcurrentSessions { get; set; } = 200;

    /// <summary>
    /// The most concurrent SMTP sessions from one client IP address; further sessions from that address get 421 and are
    /// closed at once, so one host cannot take the sessions that the dispatch centre needs. 20 by default.
    /// </summary>
    public int MaxSessionsPerClient { get; set; } = 20;

    /// <summary>
    /// How long a new session may take from connecting to its first MAIL FROM; a session still idle then gets 421 and is
    /// closed, so idle connections cannot hold sessions. 30 s by default (a sending server needs well under a second).
    /// </summary>
    public TimeSpan IdleTimeoutBeforeMail { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a session may stay idle before it is closed (RFC 5321 section 4.5.3.2 asks for at least 5 minutes per command).</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A certificate for STARTTLS (RFC 3207): a PKCS#12 (<c>.pfx</c>) file, or a PEM certificate with <see cref="CertificateKeyPath"/>. Without it STARTTLS is not offered.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key file that goes with a PEM <see cref="CertificatePath"/>.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The password of the PKCS#12 file. A secret: give it by environment variable (<c>AlarmInbox__Smtp__CertificatePassword</c>), never in appsettings.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Where accepted mails are spooled until the pipeline has them in the embedded mode; <c>&lt;AlarmInbox:Storage:DataDirectory&gt;/spool</c>
    /// by default. Must be on a local disk. In cluster mode on PostgreSQL mails are spooled in the cluster database, and
    /// mails found here at start (left by an earlier release) are moved there.
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>How many spooled mails are handed to the grains at the same time.</summary>
    public int HandOffWorkers { get; set; } = 4;

    /// <summary>The most mails of one tenant handed off at the same time; the workers serve the tenants in turn, so a tenant with slow rules occupies at most this many of them. 1 by default.</summary>
    public int HandOffsPerTenant { get; set; } = 1;

    /// <summary>How often a spool that failed a write (<c>storage_unavailable</c>) is probed until it works again.</summary>
    public TimeSpan StorageProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Cluster mode: how long a silo's claim on a spooled mail lasts without renewal (the silo renews its claims every third
    /// of it). A silo declared dead loses its claims at once; one that is alive but cannot reach the database loses them
    /// after this time, and another silo hands its mails off. 1 minute by default.
    /// </summary>
    public TimeSpan SpoolLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Cluster mode: how often each silo looks for spooled mails whose claim ran out (besides at once when a silo is declared dead). 5 s by default.</summary>
    public TimeSpan SpoolClaimInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a spooled mail whose hand-off failed waits before the next attempt. After a storage failure always this
    /// long; after failures counted against <see cref="MaxHandOffAttempts"/> the wait doubles with each of them (±20 %
    /// jitter) up to <see cref="RetryBackoffCap"/>. 30 s by default.
    /// </summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two hand-off attempts of one spooled mail after counted failures. 10 minutes by default.</summary>
    public TimeSpan RetryBackoffCap { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// After this many failed hand-offs of one mail that were not storage failures (a mail that makes the pipeline
    /// throw every time), the mail is moved aside (<c>parked</c>) with its raw message, counted in
    /// <c>alarminbox.smtp.spool.parked</c> and logged (event 4390), and not tried again. Storage failures
    /// (<c>storage_unavailable</c>) are retried for as long as they last and do not count. 10 by default (about
    /// 55 minutes of attempts with the default waits).
    /// </summary>
    public int MaxHandOffAttempts { get; set; } = 10;

    /// <inheritdoc />
    public override string ToString() =>
        $"Enabled={Enabled}, Port={Port}, BindAddress={BindAddress}, MaxMessageBytes={MaxMessageBytes}, CertificatePath={CertificatePath}, CertificatePassword={(CertificatePassword is null ? "(none)" : "(redacted)")}";
}
