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
public sealed record Office365Response
{
    /// <summary>The tenant, normalised (GUID or domain).</summary>
    public required string Tenant { get; init; }

    /// <summary>Application (client) ID.</summary>
    public required string ClientId { get; init; }

    /// <summary>Token scope.</summary>
    public required string Scope { get; init; }

    /// <summary>Entra ID host.</summary>
    public required string AuthorityHost { get; init; }

    /// <summary>Whether a client secret is stored (never returned).</summary>
    public required bool HasClientSecret { get; init; }

    /// <summary>Whether a client certificate is stored (never returned).</summary>
    public required bool HasCertificate { get; init; }

    /// <summary>When the stored client secret expires, if given; null otherwise.</summary>
    public DateTimeOffset? ClientSecretExpiresAt { get; init; }

    /// <summary>When the stored certificate expires (read from it); null without a certificate.</summary>
    public DateTimeOffset? CertificateExpiresAt { get; init; }

    internal static Office365Response? From(Office365Config? c) =>
        c is null ? null : new()
        {
            Tenant = c.Tenant,
            ClientId = c.ClientId,
            Scope = c.Scope,
            AuthorityHost = c.AuthorityHost,
            HasClientSecret = c.HasClientSecret,
            HasCertificate = c.HasCertificate,
            ClientSecretExpiresAt = c.ClientSecretExpiresAt,
            CertificateExpiresAt = c.CertificateExpiresAt,
        };
}

/// <summary>A mailbox: its config without secrets, and its status.</summary>
public sealed record MailboxResponse
{
    /// <summary>The mailbox id.</summary>
    public required string Id { get; init; }

    /// <summary>The owning tenant.</summary>
    public required string TenantId { get; init; }

    /// <summary>Name for people.</summary>
    public required string DisplayName { get; init; }

    /// <summary>IMAP server.</summary>
    public required string Host { get; init; }

    /// <summary>TCP port.</summary>
    public required int Port { get; init; }

    /// <summary>Transport security.</summary>
    public required MailboxSecurity Security { get; init; }

    /// <summary>Login name.</summary>
    public required string Username { get; init; }

    /// <summary>Whether a password is stored (it is never returned).</summary>
    public required bool HasPassword { get; init; }

    /// <summary>The watched folder.</summary>
    public required string Folder { get; init; }

    /// <summary>Seconds between polls.</summary>
    public required int PollIntervalSeconds { get; init; }

    /// <summary>Whether it is polled (see also status.state = Paused).</summary>
    public required bool Enabled { get; init; }

    /// <summary>When it was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>What it has done.</summary>
    public required MailboxStatusResponse Status { get; init; }

    /// <summary>Whether an IDLE session is kept where the server offers it.</summary>
    public required bool UseIdle { get; init; }

    /// <summary><c>Password</c> or <c>Office365</c>.</summary>
    public required MailboxAuthType AuthType { get; init; }

    /// <summary>The app registration (no secrets) when authType is Office365, else null.</summary>
    public Office365Response? Office365 { get; init; }

    /// <summary>The pinned server certificate fingerprint (64 hex digits), or null for normal validation.</summary>
    public string? PinnedCertificateSha256 { get; init; }

    internal static MailboxResponse From(MailboxDetails details)
    {
        var c = details.Config;
        return new()
        {
            Id = c.Id,
            TenantId = c.TenantId,
            DisplayName = c.DisplayName,
            Host = c.Host,
            Port = c.Port,
            Security = c.Security,
            Username = c.Username,
            HasPassword = c.HasPassword,
            Folder = c.Folder,
            PollIntervalSeconds = c.PollIntervalSeconds,
            Enabled = c.Enabled,
            CreatedAt = c.CreatedAt,
            Status = MailboxStatusResponse.From(details.Status),
            UseIdle = c.UseIdle,
            AuthType = c.AuthType,
            Office365 = Office365Response.From(c.Office365),
            PinnedCertificateSha256 = c.PinnedCertificateSha256,
        };
    }
}

/// <summary>The status of a mailbox.</summary>
public sealed record MailboxStatusResponse
{
    /// <summary><c>Idle</c>, <c>Polling</c>, <c>Paused</c> or <c>Failing</c>.</summary>
    public required MailboxState State { get; init; }

    /// <summary>End of the last poll (UTC), or null.</summary>
    public DateTimeOffset? LastPollAt { get; init; }

    /// <summary>End of the last successful poll (UTC), or null.</summary>
    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>The last poll's error, or null after a success.</summary>
    public ErrorResponse? LastError { get; init; }

    /// <summary>Messages stored since creation.</summary>
    public required long MessagesFetched { get; init; }

    /// <summary>Failed polls in a row.</summary>
    public required int ConsecutiveFailures { get; init; }

    /// <summary>UIDVALIDITY and last UID stored.</summary>
    public required WatermarkResponse Watermark { get; init; }

    /// <summary>Whether the server was reached within the last three intervals (or IDLE heartbeats).</summary>
    public required bool Healthy { get; init; }

    /// <summary>Last successful contact with the server (UTC): poll, IDLE round trip or NOOP.</summary>
    public DateTimeOffset? LastContactAt { get; init; }

    /// <summary>Whether an IDLE session is open right now.</summary>
    public required bool IdleActive { get; init; }

    /// <summary>When the next attempt is planned after a failure (UTC), following the backoff.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    internal static MailboxStatusResponse From(MailboxStatus s) => new()
    {
        State = s.State,
        LastPollAt = s.LastPollAt,
        LastSuccessAt = s.LastSuccessAt,
        LastError = ErrorResponse.From(s.LastError),
        MessagesFetched = s.MessagesFetched,
        ConsecutiveFailures = s.ConsecutiveFailures,
        Watermark = new WatermarkResponse(s.Watermark.UidValidity, s.Watermark.LastUid),
        Healthy = s.Healthy,
        LastContactAt = s.LastContactAt,
        IdleActive = s.IdleActive,
        NextAttemptAt = s.NextAttemptAt,
    };
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
public sealed record PollResponse
{
    /// <summary>Whether the poll worked.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Messages stored by this poll.</summary>
    public required int NewMessages { get; init; }

    /// <summary>Duration in milliseconds.</summary>
    public required double DurationMs { get; init; }

    /// <summary>The error, when it failed.</summary>
    public ErrorResponse? Error { get; init; }

    /// <summary>The watermark afterwards.</summary>
    public required WatermarkResponse Watermark { get; init; }

    /// <summary>Whether the folder's UIDVALIDITY had changed.</summary>
    public required bool UidValidityChanged { get; init; }

    /// <summary>Whether more messages wait (a next poll follows at once).</summary>
    public required bool MoreWaiting { get; init; }

    internal static PollResponse From(PollResult r) => new()
    {
        Succeeded = r.Succeeded,
        NewMessages = r.NewMessages,
        DurationMs = Math.Round(r.DurationMs, 1),
        Error = ErrorResponse.From(r.Error),
        Watermark = new WatermarkResponse(r.Watermark.UidValidity, r.Watermark.LastUid),
        UidValidityChanged = r.UidValidityChanged,
        MoreWaiting = r.MoreWaiting,
    };
}

/// <summary>A stored message.</summary>
public sealed record MessageResponse
{
    /// <summary>UIDVALIDITY when fetched.</summary>
    public required uint UidValidity { get; init; }

    /// <summary>UID in the folder.</summary>
    public required uint Uid { get; init; }

    /// <summary>Message-ID without angle brackets, or null.</summary>
    public string? MessageId { get; init; }

    /// <summary>Sender address, or null.</summary>
    public string? From { get; init; }

    /// <summary>Sender display name, or null.</summary>
    public string? FromName { get; init; }

    /// <summary>Recipient addresses.</summary>
    public required IReadOnlyList<string> To { get; init; }

    /// <summary>Decoded subject.</summary>
    public required string Subject { get; init; }

    /// <summary>Date header, or null.</summary>
    public DateTimeOffset? Date { get; init; }

    /// <summary>Server receive time (INTERNALDATE), or null.</summary>
    public DateTimeOffset? InternalDate { get; init; }

    /// <summary>Raw size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>Decoded text (HTML rendered to text), at most 32768 characters.</summary>
    public required string Text { get; init; }

    /// <summary>Whether the text was cut.</summary>
    public required bool TextTruncated { get; init; }

    /// <summary>Attachment names, types and sizes.</summary>
    public required IReadOnlyList<AttachmentResponse> Attachments { get; init; }

    /// <summary>When AlarmInbox stored it (UTC).</summary>
    public required DateTimeOffset FetchedAt { get; init; }

    /// <summary>Whether the mail was evaluated more than <c>lateAfterMinutes</c> after it was sent (Date header, else server receive time); the same flag as its alarm's.</summary>
    public required bool Late { get; init; }

    /// <summary>The mail attached to it (forwarded as an attachment), by its names, or null.</summary>
    public AttachedMessageResponse? AttachedMessage { get; init; }

    /// <summary>Whether processing stopped at a limit (see <c>limits</c>); text and attachments are what was extracted up to it.</summary>
    public required bool Truncated { get; init; }

    /// <summary>The limits hit (<c>mime_depth</c>, <c>undecodable</c>, …); empty for a mail read completely.</summary>
    public required IReadOnlyList<string> Limits { get; init; }

    internal static MessageResponse Create(MailMessage m) => new()
    {
        UidValidity = m.UidValidity,
        Uid = m.Uid,
        MessageId = m.MessageId,
        From = m.From,
        FromName = m.FromName,
        To = m.To,
        Subject = m.Subject,
        Date = m.Date,
        InternalDate = m.InternalDate,
        Size = m.Size,
        Text = m.Text,
        TextTruncated = m.TextTruncated,
        Attachments = m.Attachments.Select(a => new AttachmentResponse(a.FileName, a.ContentType, a.Size)).ToList(),
        FetchedAt = m.FetchedAt,
        Late = m.Late,
        AttachedMessage = AttachedMessageResponse.Create(m.AttachedMessage),
        Truncated = m.Truncated,
        Limits = m.Limits,
    };
}

/// <summary>A mail attached to a stored mail (forwarded as an attachment), by its names; the alarm is evaluated on it when the outer mail's own text has no alarm content.</summary>
public sealed record AttachedMessageResponse
{
    /// <summary><c>message/rfc822</c> or <c>application/ms-tnef</c> (Outlook's winmail.dat).</summary>
    public required string AttachedAs { get; init; }

    /// <summary>Its decoded subject.</summary>
    public required string Subject { get; init; }

    /// <summary>Its sender address, or null.</summary>
    public string? From { get; init; }

    /// <summary>Its sender's display name, or null.</summary>
    public string? FromName { get; init; }

    /// <summary>Its Message-ID, or null.</summary>
    public string? MessageId { get; init; }

    /// <summary>Its Date header, or null.</summary>
    public DateTimeOffset? Date { get; init; }

    /// <summary>A mail attached to it in turn (at most three levels), or null.</summary>
    public AttachedMessageResponse? AttachedMessage { get; init; }

    internal static AttachedMessageResponse? Create(MailAttachedMessage? m) =>
        m is null ? null : new()
        {
            AttachedAs = m.AttachedAs,
            Subject = m.Subject,
            From = m.From,
            FromName = m.FromName,
            MessageId = m.MessageId,
            Date = m.Date,
            AttachedMessage = Create(m.AttachedMessage),
        };
}

/// <summary>An attachment's metadata.</summary>
/// <param name="FileName">Decoded file name, or null.</param>
/// <param name="ContentType">MIME type.</param>
/// <param name="Size">Decoded size in bytes.</param>
public sealed record AttachmentResponse(string? FileName, string ContentType, long Size);
