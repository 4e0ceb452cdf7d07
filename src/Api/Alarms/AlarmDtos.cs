using System.Text.Json.Serialization;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Webhooks;

namespace AlarmInbox.Api.Alarms;

/// <summary>Body of <c>PUT …/alarm-settings</c> (tenant defaults: omitted fields take their defaults) and of <c>PUT …/mailboxes/{mailboxId}/alarm-settings</c> (override: omitted or null fields inherit the tenant's). Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EvaluationSettingsRequest
{
    /// <summary>Whether mails are evaluated; default true.</summary>
    public bool? Enabled { get; init; }

    /// <summary>Allowed senders: addresses or domains; default empty (every sender).</summary>
    public IReadOnlyList<string>? AllowedSenders { get; init; }

    /// <summary><c>Auto</c> (default: the keyword label, else the XML keyword, else the subject), <c>Subject</c> or <c>Label</c>.</summary>
    public KeywordSource? KeywordSource { get; init; }

    /// <summary>The keyword label; default <c>Stichwort</c>.</summary>
    public string? KeywordLabel { get; init; }

    /// <summary>Extra labels; default none.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Custom regular expression rules; default none.</summary>
    public IReadOnlyList<AlarmRuleDto>? Rules { get; init; }

    /// <summary>Test mode; default false.</summary>
    public bool? TestMode { get; init; }

    /// <summary>Incident merge window in minutes, 0–1440; default 30.</summary>
    public int? IncidentMergeWindowMinutes { get; init; }

    /// <summary>Late threshold in minutes, 0–1440; default 10.</summary>
    public int? LateAfterMinutes { get; init; }

    /// <summary>Whether forwarded mails match by their original sender; default true.</summary>
    public bool? MatchForwardedSender { get; init; }

    internal EvaluationOverride ToOverride() => new()
    {
        Enabled = Enabled,
        AllowedSenders = AllowedSenders?.Select(s => s?.Trim()!).ToList(),
        KeywordSource = KeywordSource,
        KeywordLabel = KeywordLabel?.Trim(),
        Labels = Labels?.Select(l => l?.Trim()!).ToList(),
        Rules = Rules?.Select(r => r?.ToRule()!).ToList(),
        TestMode = TestMode,
        IncidentMergeWindowMinutes = IncidentMergeWindowMinutes,
        LateAfterMinutes = LateAfterMinutes,
        MatchForwardedSender = MatchForwardedSender,
    };

    internal EvaluationSettings ToSettings() => ToOverride().ApplyTo(new EvaluationSettings());
}

/// <summary>A custom rule.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AlarmRuleDto
{
    /// <summary>Name, 1–64 characters.</summary>
    public string? Name { get; init; }

    /// <summary>.NET regular expression with named groups.</summary>
    public string? Pattern { get; init; }

    /// <summary><c>Text</c> (default) or <c>Subject</c>.</summary>
    public AlarmRuleSource? Source { get; init; }

    internal AlarmRule ToRule() => new(Name?.Trim() ?? "", Pattern ?? "", Source ?? AlarmRuleSource.Text);

    internal static AlarmRuleDto From(AlarmRule rule) => new() { Name = rule.Name, Pattern = rule.Pattern, Source = rule.Source };
}

/// <summary>Evaluation settings in effect.</summary>
/// <param name="Enabled">Whether mails are evaluated.</param>
/// <param name="AllowedSenders">Allowed senders (empty: all).</param>
/// <param name="KeywordSource"><c>Auto</c>, <c>Subject</c> or <c>Label</c>.</param>
/// <param name="KeywordLabel">The keyword label.</param>
/// <param name="Labels">Extra labels.</param>
/// <param name="Rules">Custom rules.</param>
/// <param name="TestMode">Test mode.</param>
/// <param name="IncidentMergeWindowMinutes">Merge window, minutes.</param>
/// <param name="LateAfterMinutes">Late threshold, minutes.</param>
/// <param name="MatchForwardedSender">Whether forwarded mails match by their original sender.</param>
public sealed record EvaluationSettingsResponse(
    bool Enabled,
    IReadOnlyList<string> AllowedSenders,
    KeywordSource KeywordSource,
    string KeywordLabel,
    IReadOnlyList<string> Labels,
    IReadOnlyList<AlarmRuleDto> Rules,
    bool TestMode,
    int IncidentMergeWindowMinutes,
    int LateAfterMinutes,
    bool MatchForwardedSender)
{
    internal static EvaluationSettingsResponse From(EvaluationSettings s) => new(
        s.Enabled, s.AllowedSenders, s.KeywordSource, s.KeywordLabel, s.Labels, s.Rules.Select(AlarmRuleDto.From).ToList(), s.TestMode,
        s.IncidentMergeWindowMinutes, s.LateAfterMinutes, s.MatchForwardedSender);
}

/// <summary>A mailbox's evaluation settings.</summary>
/// <param name="Override">The mailbox's own values (null fields inherit), or null when it has none.</param>
/// <param name="Effective">The settings in effect for the mailbox.</param>
public sealed record MailboxEvaluationSettingsResponse(EvaluationSettingsRequest? Override, EvaluationSettingsResponse Effective)
{
    internal static MailboxEvaluationSettingsResponse From(MailboxEvaluationSettings s) => new(
        s.Override is not { } o ? null : new EvaluationSettingsRequest
        {
            Enabled = o.Enabled,
            AllowedSenders = o.AllowedSenders,
            KeywordSource = o.KeywordSource,
            KeywordLabel = o.KeywordLabel,
            Labels = o.Labels,
            Rules = o.Rules?.Select(AlarmRuleDto.From).ToList(),
            TestMode = o.TestMode,
            IncidentMergeWindowMinutes = o.IncidentMergeWindowMinutes,
            LateAfterMinutes = o.LateAfterMinutes,
            MatchForwardedSender = o.MatchForwardedSender,
        },
        EvaluationSettingsResponse.From(s.Effective));
}

/// <summary>An alarm.</summary>
/// <param name="Id">Alarm id (<c>alm-…</c>).</param>
/// <param name="TenantId">Tenant.</param>
/// <param name="Status"><c>New</c>, <c>Updated</c>, <c>Test</c> or <c>Rejected</c>.</param>
/// <param name="Revision">1, then +1 per update.</param>
/// <param name="MailboxId">Mailbox of the latest mail.</param>
/// <param name="IncidentNumber">Einsatznummer, or null.</param>
/// <param name="Keyword">Stichwort, or null.</param>
/// <param name="Text">Alarm text (decoded body of the latest mail).</param>
/// <param name="Fields">Extracted fields, label → value.</param>
/// <param name="Position">Latitude/longitude (WGS 84 degrees), or null.</param>
/// <param name="Late">Whether the latest mail came late.</param>
/// <param name="Rejection">Why it is not an alarm, for <c>Rejected</c>.</param>
/// <param name="ReceivedAt">When the first mail was fetched (UTC).</param>
/// <param name="EvaluatedAt">When the latest mail was evaluated (UTC).</param>
/// <param name="Source">The latest mail.</param>
/// <param name="MatchedRules">Custom rules that matched.</param>
/// <param name="RuleErrors">Rules that timed out or failed.</param>
/// <param name="History">Every mail of the alarm, oldest first.</param>
/// <param name="Deliveries">Webhook deliveries of all revisions.</param>
/// <param name="Receipts">Every arrival of the alarm's mails over any path (the first mail, updates, and repeats of the same mail through another mailbox, inbound address, IMAP or SMTP), oldest first.</param>
public sealed record AlarmResponse(
    string Id,
    string TenantId,
    AlarmStatus Status,
    int Revision,
    string MailboxId,
    string? IncidentNumber,
    string? Keyword,
    string Text,
    IReadOnlyDictionary<string, string> Fields,
    PositionResponse? Position,
    bool Late,
    RejectionResponse? Rejection,
    DateTimeOffset ReceivedAt,
    DateTimeOffset EvaluatedAt,
    SourceResponse Source,
    IReadOnlyList<string> MatchedRules,
    IReadOnlyList<RuleErrorResponse> RuleErrors,
    IReadOnlyList<RevisionResponse> History,
    IReadOnlyList<DeliveryResponse> Deliveries,
    IReadOnlyList<ReceiptResponse> Receipts)
{
    internal static AlarmResponse From(AlarmRecord a, IReadOnlyList<WebhookDelivery>? deliveries) => new(
        a.Id, a.TenantId, a.Status, a.Revision, a.Source.MailboxId, a.IncidentNumber, a.Keyword, a.Text, a.Fields, PositionResponse.From(a.Position),
        a.Late, a.Rejection is { } r ? new RejectionResponse(r.Code, r.Message) : null, a.ReceivedAt, a.EvaluatedAt, SourceResponse.Create(a.Source),
        a.MatchedRules, a.RuleErrors.Select(RuleErrorResponse.From).ToList(),
        a.History.Select(h => new RevisionResponse(h.Revision, SourceResponse.Create(h.Source), h.EvaluatedAt, h.Keyword, h.Fields)).ToList(),
        (deliveries ?? []).Select(DeliveryResponse.From).ToList(),
        a.Receipts.Select(ReceiptResponse.From).ToList());
}

/// <summary>One arrival of a mail of an alarm.</summary>
/// <param name="Path"><c>Imap</c>, <c>Smtp</c> or <c>Graph</c>.</param>
/// <param name="SourceId">The mailbox (<c>mbx-…</c>) or inbound address (<c>inb-…</c>).</param>
/// <param name="UidValidity">UIDVALIDITY on that path.</param>
/// <param name="Uid">UID on that path.</param>
/// <param name="ReceivedAt">When AlarmInbox took it in (UTC).</param>
/// <param name="Revision">The revision whose mail it is.</param>
/// <param name="Repeat">Whether it repeated a mail already taken in (recorded only: no revision, no status change, no webhook).</param>
public sealed record ReceiptResponse(MailPathKind Path, string SourceId, uint UidValidity, uint Uid, DateTimeOffset ReceivedAt, int Revision, bool Repeat)
{
    internal static ReceiptResponse From(AlarmReceipt r) => new(r.Path, r.SourceId, r.UidValidity, r.Uid, r.ReceivedAt, r.Revision, r.Repeat);
}

/// <summary>A position in WGS 84 decimal degrees.</summary>
/// <param name="Latitude">−90 to 90, north positive.</param>
/// <param name="Longitude">−180 to 180, east positive.</param>
public sealed record PositionResponse(double Latitude, double Longitude)
{
    internal static PositionResponse? From(GeoPosition? p) => p is null ? null : new(p.Latitude, p.Longitude);
}

/// <summary>Why a mail is not an alarm.</summary>
/// <param name="Code"><c>sender_not_allowed</c> or <c>no_alarm_content</c>.</param>
/// <param name="Message">A sentence for the admin.</param>
public sealed record RejectionResponse(string Code, string Message);

/// <summary>A rule that timed out or failed.</summary>
/// <param name="Rule">Rule name, or <c>label</c>, <c>xml:&lt;file&gt;</c>, <c>sender</c>.</param>
/// <param name="Code"><c>timeout</c> or <c>invalid_xml</c>.</param>
/// <param name="Message">What happened.</param>
public sealed record RuleErrorResponse(string Rule, string Code, string Message)
{
    internal static RuleErrorResponse From(RuleError e) => new(e.Rule, e.Code, e.Message);
}

/// <summary>The mail behind an alarm revision.</summary>
/// <param name="MailboxId">Mailbox.</param>
/// <param name="UidValidity">UIDVALIDITY (0 in the rule tester).</param>
/// <param name="Uid">UID (0 in the rule tester).</param>
/// <param name="MessageId">Message-ID, or null.</param>
/// <param name="From">Sender address, or null.</param>
/// <param name="OriginalFrom">Original sender of a forwarded mail, or null.</param>
/// <param name="Subject">Subject.</param>
/// <param name="SentAt">Date header, else server receive time, else fetch time.</param>
public sealed record SourceResponse(string MailboxId, uint UidValidity, uint Uid, string? MessageId, string? From, string? OriginalFrom, string Subject, DateTimeOffset SentAt)
{
    internal static SourceResponse Create(AlarmSource s) => new(s.MailboxId, s.UidValidity, s.Uid, s.MessageId, s.From, s.OriginalFrom, s.Subject, s.SentAt);
}

/// <summary>One mail of an alarm.</summary>
/// <param name="Revision">1 for the first mail.</param>
/// <param name="Source">The mail.</param>
/// <param name="EvaluatedAt">When it was evaluated (UTC).</param>
/// <param name="Keyword">Its keyword.</param>
/// <param name="Fields">Its fields.</param>
public sealed record RevisionResponse(int Revision, SourceResponse Source, DateTimeOffset EvaluatedAt, string? Keyword, IReadOnlyDictionary<string, string> Fields);

/// <summary>The delivery of one alarm revision to one webhook.</summary>
/// <param name="WebhookId">Webhook.</param>
/// <param name="Revision">Alarm revision.</param>
/// <param name="IdempotencyKey"><c>{alarmId}.{revision}</c>, sent as <c>Idempotency-Key</c>.</param>
/// <param name="State"><c>Pending</c>, <c>Delivered</c>, <c>DeadLetter</c> or <c>Superseded</c> (a later revision replaced it before it was sent).</param>
/// <param name="Attempts">Attempts so far.</param>
/// <param name="CreatedAt">Queued at (UTC).</param>
/// <param name="LastAttemptAt">Last attempt (UTC), or null.</param>
/// <param name="NextAttemptAt">Next attempt (UTC) while pending, else null.</param>
/// <param name="DeliveredAt">Accepted at (UTC), or null.</param>
/// <param name="LastStatusCode">HTTP status of the last attempt, or null.</param>
/// <param name="LastError">Why the last attempt failed, or null.</param>
public sealed record DeliveryResponse(
    string WebhookId, int Revision, string IdempotencyKey, WebhookDeliveryState State, int Attempts, DateTimeOffset CreatedAt,
    DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, int? LastStatusCode, string? LastError)
{
    internal static DeliveryResponse From(WebhookDelivery d) => new(
        d.WebhookId, d.Revision, d.IdempotencyKey, d.State, d.Attempts, d.CreatedAt, d.LastAttemptAt, d.NextAttemptAt, d.DeliveredAt, d.LastStatusCode, d.LastError);
}

/// <summary>What the rule tester found. Nothing was stored or delivered.</summary>
/// <param name="IsAlarm">Whether the mail is an alarm.</param>
/// <param name="Rejection">Why not, or null.</param>
/// <param name="Keyword">Keyword, or null.</param>
/// <param name="IncidentNumber">Einsatznummer, or null.</param>
/// <param name="Fields">Extracted fields.</param>
/// <param name="FieldSources">Which rule produced each field (<c>label</c>, <c>xml:&lt;file&gt;</c>, <c>rule:&lt;name&gt;</c>) and the keyword (<c>subject</c>, <c>label:&lt;label&gt;</c>, <c>xml:&lt;file&gt;</c>).</param>
/// <param name="Position">Position, or null.</param>
/// <param name="MatchedRules">Custom rules that matched.</param>
/// <param name="RuleErrors">Rules that timed out or failed.</param>
/// <param name="MatchedSender">The allowed-senders entry that matched, or null.</param>
/// <param name="OriginalFrom">Original sender of a forwarded mail, or null.</param>
/// <param name="Late">Whether it would count as late now.</param>
/// <param name="DurationMs">Evaluation time in milliseconds.</param>
/// <param name="Alarm">The alarm it would produce (id <c>alm-preview</c> when new, the existing id for an update), or null when evaluation is off.</param>
/// <param name="Settings">The effective settings used.</param>
public sealed record EvaluateResponse(
    bool IsAlarm, RejectionResponse? Rejection, string? Keyword, string? IncidentNumber, IReadOnlyDictionary<string, string> Fields,
    IReadOnlyDictionary<string, string> FieldSources, PositionResponse? Position, IReadOnlyList<string> MatchedRules, IReadOnlyList<RuleErrorResponse> RuleErrors,
    string? MatchedSender, string? OriginalFrom, bool Late, double DurationMs, AlarmResponse? Alarm, EvaluationSettingsResponse Settings)
{
    internal static EvaluateResponse From(AlarmPreview p)
    {
        var e = p.Evaluation;
        return new(
            e.IsAlarm, e.Rejection is { } r ? new RejectionResponse(r.Code, r.Message) : null, e.Keyword, e.IncidentNumber, e.Fields, e.FieldSources,
            PositionResponse.From(e.Position), e.MatchedRules, e.RuleErrors.Select(RuleErrorResponse.From).ToList(), e.MatchedSender, e.OriginalFrom, e.Late,
            Math.Round(e.DurationMs, 3), p.Alarm is null ? null : AlarmResponse.From(p.Alarm, []), EvaluationSettingsResponse.From(p.Settings));
    }
}
