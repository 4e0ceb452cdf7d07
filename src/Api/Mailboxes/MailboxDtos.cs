using System.Text.Json.Serialization;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Api.Mailboxes;

/// <summary>Body of <c>POST …/mailboxes</c> and <c>PUT …/mailboxes/{mailboxId}</c>. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MailboxRequest
{
    /// <summary>A name for people, 1 to 200 characters.</summary>
    public string? DisplayName { get; init; }

    /// <summary>IMAP server host name or IP address; <c>outlook.office365.com</c> when omitted with authType Office365, <c>graph.microsoft.com</c> (the Microsoft Graph host) with authType Graph.</summary>
    public string? Host { get; init; }

    /// <summary>TCP port 1–65535; 993 for SslOnConnect and 143 otherwise when omitted (443 with authType Graph).</summary>
    public int? Port { get; init; }

    /// <summary><c>SslOnConnect</c> (default), <c>StartTls</c> or <c>None</c>.</summary>
    public MailboxSecurity? Security { get; init; }

    /// <summary>Login name, usually the e-mail address; with authType Graph the mailbox's address or Entra object id.</summary>
    public string? Username { get; init; }

    /// <summary>Write-only password. Required on create; omitted on update keeps the stored one.</summary>
    public string? Password { get; init; }

    /// <summary>The folder to watch; <c>INBOX</c> when omitted (<c>Inbox</c>, or a path of display names such as <c>Inbox/Alarm</c>, with authType Graph).</summary>
    public string? Folder { get; init; }

    /// <summary>Seconds between polls, 10 to 86400; 60 when omitted.</summary>
    public int? PollIntervalSeconds { get; init; }

    /// <summary>Whether the mailbox is polled; <see langword="true"/> when omitted.</summary>
    public bool? Enabled { get; init; }

    /// <summary>For a self-signed server: SHA-256 fingerprint (64 hex digits, colons allowed) of the only certificate to accept; omitted = normal validation.</summary>
    public string? PinnedCertificateSha256 { get; init; }

    /// <summary>Whether to keep an IDLE session (RFC 2177) where the server offers it, for new mail within about a second; <see langword="true"/> when omitted.</summary>
    public bool? UseIdle { get; init; }

    /// <summary>Create only: how many of the newest existing messages to fetch as new (0 to 1000, default 0).</summary>
    public int? Backfill { get; init; }

    /// <summary><c>Password</c> (default), <c>Office365</c> (OAuth2 app-only access with SASL XOAUTH2, see docs/office365.md) or <c>Graph</c> (app-only access through Microsoft Graph, see docs/graph.md).</summary>
    public MailboxAuthType? AuthType { get; init; }

    /// <summary>The app registration; required with authType Office365 or Graph.</summary>
    public Office365Request? Office365 { get; init; }

    internal MailboxSettings ToSettings()
    {
        var security = Security ?? MailboxSecurity.SslOnConnect;
        var authType = AuthType ?? MailboxAuthType.Password;
        var graph = authType == MailboxAuthType.Graph;
        return MailboxSettingsValidator.Normalize(new MailboxSettings
        {
            DisplayName = DisplayName?.Trim() ?? "",
            Host = Host?.Trim() ?? (authType == MailboxAuthType.Office365 ? Office365Request.DefaultHost : graph ? Office365Request.DefaultGraphHost : ""),
            Port = Port ?? (graph ? 443 : security == MailboxSecurity.SslOnConnect ? 993 : 143),
            Security = security,
            Username = Username?.Trim() ?? "",
            Password = Password,
            Folder = string.IsNullOrEmpty(Folder) ? (Folder is null ? (graph ? "Inbox" : "INBOX") : "") : Folder,
            PollIntervalSeconds = PollIntervalSeconds ?? MailboxLimits.DefaultPollIntervalSeconds,
            Enabled = Enabled ?? true,
            UseIdle = UseIdle ?? true,
            PinnedCertificateSha256 = string.IsNullOrWhiteSpace(PinnedCertificateSha256) ? null : PinnedCertificateSha256.Trim(),
            AuthType = authType,
            Office365 = Office365?.ToSettings(graph),
        });
    }
}

/// <summary>The <c>office365</c> object of a mailbox request. Secrets are write-only; on PUT, omitting all credentials keeps the stored one.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record Office365Request
{
    /// <summary>The IMAP host of Exchange Online.</summary>
    public const string DefaultHost = "outlook.office365.com";

    /// <summary>The host of Microsoft Graph (public cloud).</summary>
    public const string DefaultGraphHost = "graph.microsoft.com";

    /// <summary>Directory (tenant) ID, verified domain, or <c>https://login.microsoftonline.com/{tenant}</c> (with or without <c>/v2.0</c> or <c>/oauth2/v2.0/token</c>).</summary>
    public string? Tenant { get; init; }

    /// <summary>Application (client) ID, a GUID.</summary>
    public string? ClientId { get; init; }

    /// <summary>Write-only: the client secret's Value (not its Secret ID).</summary>
    public string? ClientSecret { get; init; }

    /// <summary>Write-only, instead of clientSecret: the certificate with private key as base64 of a PFX file.</summary>
    public string? CertificatePfxBase64 { get; init; }

    /// <summary>Write-only: the PFX password, if any.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>Write-only, instead of clientSecret: certificate and unencrypted private key as PEM.</summary>
    public string? CertificatePem { get; init; }

    /// <summary>Token scope; <c>https://outlook.office365.com/.default</c> when omitted (<c>https://graph.microsoft.com/.default</c> with authType Graph).</summary>
    public string? Scope { get; init; }

    /// <summary>Entra ID host; <c>login.microsoftonline.com</c> when omitted (national clouds have their own).</summary>
    public string? AuthorityHost { get; init; }

    /// <summary>Optional: when the client secret expires, as Entra ID shows it (ISO 8601, e.g. <c>2027-06-30T00:00:00Z</c>); drives the expiry metric and alert. On PUT, omitting it while keeping the stored secret keeps the stored date.</summary>
    public DateTimeOffset? ClientSecretExpiresAt { get; init; }

    internal Office365Settings ToSettings(bool graph) => new()
    {
        Tenant = Tenant?.Trim() ?? "",
        ClientId = ClientId?.Trim() ?? "",
        ClientSecret = ClientSecret,
        CertificatePfxBase64 = CertificatePfxBase64?.Trim(),
        CertificatePassword = CertificatePassword,
        CertificatePem = CertificatePem,
        Scope = Scope?.Trim() ?? (graph ? Office365Settings.GraphScope : Office365Settings.DefaultScope),
        AuthorityHost = AuthorityHost?.Trim().ToLowerInvariant() ?? Office365Settings.DefaultAuthorityHost,
        ClientSecretExpiresAt = ClientSecretExpiresAt,
    };
}

/// <summary>The app registration of an Office365 or Graph mailbox, without secrets.</summary>
/// <param name="Tenant">The tenant, normalised (GUID or domain).</param>
/// <param name="ClientId">Application (client) ID.</param>
/// <param name="Scope">Token scope.</param>
/// <param name="AuthorityHost">Entra ID host.</param>
/// <param name="HasClientSecret">Whether a client secret is stored (never returned).</param>
/// <param name="HasCertificate">Whether a client certificate is stored (never returned).</param>
/// <param name="ClientSecretExpiresAt">When the stored client secret expires, if given; null otherwise.</param>
/// <param name="CertificateExpiresAt">When the stored certificate expires (read from it); null without a certificate.</param>
public sealed record Office365Response(string Tenant, string ClientId, string Scope, string AuthorityHost, bool HasClientSecret, bool HasCertificate, DateTimeOffset? ClientSecretExpiresAt, DateTimeOffset? CertificateExpiresAt)
{
    internal static Office365Response? From(Office365Config? c) =>
        c is null ? null : new(c.Tenant, c.ClientId, c.Scope, c.AuthorityHost, c.HasClientSecret, c.HasCertificate, c.ClientSecretExpiresAt, c.CertificateExpiresAt);
}

/// <summary>A mailbox: its config without secrets, and its status.</summary>
/// <param name="Id">The mailbox id.</param>
/// <param name="TenantId">The owning tenant.</param>
/// <param name="DisplayName">Name for people.</param>
/// <param name="Host">IMAP server.</param>
/// <param name="Port">TCP port.</param>
/// <param name="Security">Transport security.</param>
/// <param name="Username">Login name.</param>
/// <param name="HasPassword">Whether a password is stored (it is never returned).</param>
/// <param name="Folder">The watched folder.</param>
/// <param name="PollIntervalSeconds">Seconds between polls.</param>
/// <param name="Enabled">Whether it is polled (see also status.state = Paused).</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="Status">What it has done.</param>
/// <param name="UseIdle">Whether an IDLE session is kept where the server offers it.</param>
/// <param name="AuthType"><c>Password</c> or <c>Office365</c>.</param>
/// <param name="Office365">The app registration (no secrets) when authType is Office365, else null.</param>
/// <param name="PinnedCertificateSha256">The pinned server certificate fingerprint (64 hex digits), or null for normal validation.</param>
public sealed record MailboxResponse(
    string Id,
    string TenantId,
    string DisplayName,
    string Host,
    int Port,
    MailboxSecurity Security,
    string Username,
    bool HasPassword,
    string Folder,
    int PollIntervalSeconds,
    bool Enabled,
    DateTimeOffset CreatedAt,
    MailboxStatusResponse Status,
    bool UseIdle,
    MailboxAuthType AuthType,
    Office365Response? Office365,
    string? PinnedCertificateSha256)
{
    internal static MailboxResponse From(MailboxDetails details)
    {
        var c = details.Config;
        return new(c.Id, c.TenantId, c.DisplayName, c.Host, c.Port, c.Security, c.Username, c.HasPassword, c.Folder,
            c.PollIntervalSeconds, c.Enabled, c.CreatedAt, MailboxStatusResponse.From(details.Status), c.UseIdle, c.AuthType, Office365Response.From(c.Office365), c.PinnedCertificateSha256);
    }
}

/// <summary>The status of a mailbox.</summary>
/// <param name="State"><c>Idle</c>, <c>Polling</c>, <c>Paused</c> or <c>Failing</c>.</param>
/// <param name="LastPollAt">End of the last poll (UTC), or null.</param>
/// <param name="LastSuccessAt">End of the last successful poll (UTC), or null.</param>
/// <param name="LastError">The last poll's error, or null after a success.</param>
/// <param name="MessagesFetched">Messages stored since creation.</param>
/// <param name="ConsecutiveFailures">Failed polls in a row.</param>
/// <param name="Watermark">UIDVALIDITY and last UID stored.</param>
/// <param name="Healthy">Whether the server was reached within the last three intervals (or IDLE heartbeats).</param>
/// <param name="LastContactAt">Last successful contact with the server (UTC): poll, IDLE round trip or NOOP.</param>
/// <param name="IdleActive">Whether an IDLE session is open right now.</param>
/// <param name="NextAttemptAt">When the next attempt is planned after a failure (UTC), following the backoff.</param>
public sealed record MailboxStatusResponse(
    MailboxState State,
    DateTimeOffset? LastPollAt,
    DateTimeOffset? LastSuccessAt,
    ErrorResponse? LastError,
    long MessagesFetched,
    int ConsecutiveFailures,
    WatermarkResponse Watermark,
    bool Healthy,
    DateTimeOffset? LastContactAt,
    bool IdleActive,
    DateTimeOffset? NextAttemptAt)
{
    internal static MailboxStatusResponse From(MailboxStatus s) => new(
        s.State, s.LastPollAt, s.LastSuccessAt, ErrorResponse.From(s.LastError), s.MessagesFetched, s.ConsecutiveFailures,
        new WatermarkResponse(s.Watermark.UidValidity, s.Watermark.LastUid), s.Healthy, s.LastContactAt, s.IdleActive, s.NextAttemptAt);
}

/// <summary>A poll error.</summary>
/// <param name="Code">Stable code (see docs/errors.md).</param>
/// <param name="Message">What happened, with the server's reply.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Hint">What to check, naming the setup step to fix (see docs/errors.md).</param>
public sealed record ErrorResponse(string Code, string Message, DateTimeOffset At, string? Hint)
{
    internal static ErrorResponse? From(MailboxError? e) => e is null ? null : new(e.Code, e.Message, e.At, e.Hint ?? MailboxErrorHints.For(e.Code));
}

/// <summary>The UID watermark (RFC 3501 section 2.3.1.1).</summary>
/// <param name="UidValidity">UIDVALIDITY of the folder; 0 before the first contact.</param>
/// <param name="LastUid">Highest UID already stored.</param>
public sealed record WatermarkResponse(uint UidValidity, uint LastUid);

/// <summary>What <c>POST …/poll</c> did.</summary>
/// <param name="Succeeded">Whether the poll worked.</param>
/// <param name="NewMessages">Messages stored by this poll.</param>
/// <param name="DurationMs">Duration in milliseconds.</param>
/// <param name="Error">The error, when it failed.</param>
/// <param name="Watermark">The watermark afterwards.</param>
/// <param name="UidValidityChanged">Whether the folder's UIDVALIDITY had changed.</param>
/// <param name="MoreWaiting">Whether more messages wait (a next poll follows at once).</param>
public sealed record PollResponse(bool Succeeded, int NewMessages, double DurationMs, ErrorResponse? Error, WatermarkResponse Watermark, bool UidValidityChanged, bool MoreWaiting)
{
    internal static PollResponse From(PollResult r) => new(
        r.Succeeded, r.NewMessages, Math.Round(r.DurationMs, 1), ErrorResponse.From(r.Error),
        new WatermarkResponse(r.Watermark.UidValidity, r.Watermark.LastUid), r.UidValidityChanged, r.MoreWaiting);
}

/// <summary>A stored message.</summary>
/// <param name="UidValidity">UIDVALIDITY when fetched.</param>
/// <param name="Uid">UID in the folder.</param>
/// <param name="MessageId">Message-ID without angle brackets, or null.</param>
/// <param name="From">Sender address, or null.</param>
/// <param name="FromName">Sender display name, or null.</param>
/// <param name="To">Recipient addresses.</param>
/// <param name="Subject">Decoded subject.</param>
/// <param name="Date">Date header, or null.</param>
/// <param name="InternalDate">Server receive time (INTERNALDATE), or null.</param>
/// <param name="Size">Raw size in bytes.</param>
/// <param name="Text">Decoded text (HTML rendered to text), at most 32768 characters.</param>
/// <param name="TextTruncated">Whether the text was cut.</param>
/// <param name="Attachments">Attachment names, types and sizes.</param>
/// <param name="FetchedAt">When AlarmInbox stored it (UTC).</param>
/// <param name="Late">Whether the mail was evaluated more than <c>lateAfterMinutes</c> after it was sent (Date header, else server receive time); the same flag as its alarm's.</param>
/// <param name="AttachedMessage">The mail attached to it (forwarded as an attachment), by its names, or null.</param>
/// <param name="Truncated">Whether processing stopped at a limit (see <c>limits</c>); text and attachments are what was extracted up to it.</param>
/// <param name="Limits">The limits hit (<c>mime_depth</c>, <c>undecodable</c>, …); empty for a mail read completely.</param>
public sealed record MessageResponse(
    uint UidValidity,
    uint Uid,
    string? MessageId,
    string? From,
    string? FromName,
    IReadOnlyList<string> To,
    string Subject,
    DateTimeOffset? Date,
    DateTimeOffset? InternalDate,
    long Size,
    string Text,
    bool TextTruncated,
    IReadOnlyList<AttachmentResponse> Attachments,
    DateTimeOffset FetchedAt,
    bool Late,
    AttachedMessageResponse? AttachedMessage,
    bool Truncated,
    IReadOnlyList<string> Limits)
{
    internal static MessageResponse Create(MailMessage m) => new(
        m.UidValidity, m.Uid, m.MessageId, m.From, m.FromName, m.To, m.Subject, m.Date, m.InternalDate, m.Size, m.Text,
        m.TextTruncated, m.Attachments.Select(a => new AttachmentResponse(a.FileName, a.ContentType, a.Size)).ToList(), m.FetchedAt, m.Late,
        AttachedMessageResponse.Create(m.AttachedMessage), m.Truncated, m.Limits);
}

/// <summary>A mail attached to a stored mail (forwarded as an attachment), by its names; the alarm is evaluated on it when the outer mail's own text has no alarm content.</summary>
/// <param name="AttachedAs"><c>message/rfc822</c> or <c>application/ms-tnef</c> (Outlook's winmail.dat).</param>
/// <param name="Subject">Its decoded subject.</param>
/// <param name="From">Its sender address, or null.</param>
/// <param name="FromName">Its sender's display name, or null.</param>
/// <param name="MessageId">Its Message-ID, or null.</param>
/// <param name="Date">Its Date header, or null.</param>
/// <param name="AttachedMessage">A mail attached to it in turn (at most three levels), or null.</param>
public sealed record AttachedMessageResponse(
    string AttachedAs, string Subject, string? From, string? FromName, string? MessageId, DateTimeOffset? Date, AttachedMessageResponse? AttachedMessage)
{
    internal static AttachedMessageResponse? Create(MailAttachedMessage? m) =>
        m is null ? null : new(m.AttachedAs, m.Subject, m.From, m.FromName, m.MessageId, m.Date, Create(m.AttachedMessage));
}

/// <summary>An attachment's metadata.</summary>
/// <param name="FileName">Decoded file name, or null.</param>
/// <param name="ContentType">MIME type.</param>
/// <param name="Size">Decoded size in bytes.</param>
public sealed record AttachmentResponse(string? FileName, string ContentType, long Size);
