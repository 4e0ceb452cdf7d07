namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>
/// The configuration an admin sets for a mailbox, including its secret. Sent from the API to the grain only;
/// never returned (see <see cref="MailboxConfig"/> for the readable form).
/// </summary>
[GenerateSerializer]
[Alias("alarminbox.MailboxSettings")]
public sealed record MailboxSettings
{
    /// <summary>A name for people, e.g. "Alarm-Postfach Leitstelle". 1 to 200 characters.</summary>
    [Id(0)] public string DisplayName { get; init; } = "";

    /// <summary>Host name or IP address of the IMAP server.</summary>
    [Id(1)] public string Host { get; init; } = "";

    /// <summary>TCP port, 1 to 65535 (993 for <see cref="MailboxSecurity.SslOnConnect"/>, 143 otherwise).</summary>
    [Id(2)] public int Port { get; init; } = 993;

    /// <summary>Transport security.</summary>
    [Id(3)] public MailboxSecurity Security { get; init; } = MailboxSecurity.SslOnConnect;

    /// <summary>Login name, usually the e-mail address.</summary>
    [Id(4)] public string Username { get; init; } = "";

    /// <summary>Password for the login; write-only. On update, <see langword="null"/> keeps the stored password.</summary>
    [Id(5)] public string? Password { get; init; }

    /// <summary>The folder to watch; <c>INBOX</c> by default.</summary>
    [Id(6)] public string Folder { get; init; } = "INBOX";

    /// <summary>Seconds between two polls; at least <see cref="MailboxLimits.MinPollIntervalSeconds"/>, 60 by default.</summary>
    [Id(7)] public int PollIntervalSeconds { get; init; } = MailboxLimits.DefaultPollIntervalSeconds;

    /// <summary>Whether the mailbox is polled. A disabled mailbox keeps its config and watermark.</summary>
    [Id(8)] public bool Enabled { get; init; } = true;

    /// <summary>
    /// Whether to keep a session in IDLE (RFC 2177) when the server offers it, so that new mail is fetched within about
    /// a second instead of at the next poll. <see langword="true"/> by default; the poll interval then only paces the
    /// watchdog and the fallback.
    /// </summary>
    [Id(9)] public bool UseIdle { get; init; } = true;


    /// <summary>How to log in: <see cref="MailboxAuthType.Password"/> (default) or <see cref="MailboxAuthType.Office365"/>.</summary>
    [Id(10)] public MailboxAuthType AuthType { get; init; } = MailboxAuthType.Password;

    /// <summary>The app registration for <see cref="MailboxAuthType.Office365"/>; <see langword="null"/> for password mailboxes.</summary>
    [Id(11)] public Office365Settings? Office365 { get; init; }

    /// <summary>
    /// For a server with a self-signed certificate: the SHA-256 fingerprint (64 hex digits) of the one certificate to
    /// accept instead of validating the chain. <see langword="null"/> (the default) validates certificates normally.
    /// There is no "accept any certificate" setting.
    /// </summary>
    [Id(12)] public string? PinnedCertificateSha256 { get; init; }

    /// <summary>Returns the settings without the password, for logging and comparisons.</summary>
    public override string ToString() =>
        $"MailboxSettings {{ Host = {Host}, Port = {Port}, Security = {Security}, Username = {Username}, Folder = {Folder}, PollIntervalSeconds = {PollIntervalSeconds}, Enabled = {Enabled}, UseIdle = {UseIdle}, AuthType = {AuthType}, Office365 = {Office365} }}";
}
