namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>
/// How the mails of a mailbox become alarms. A tenant has one set of defaults; a mailbox may override single
/// values (<see cref="EvaluationOverride"/>).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.EvaluationSettings")]
public sealed record EvaluationSettings
{
    /// <summary>Whether mails are evaluated at all. When <see langword="false"/>, mails are only stored as messages and make no alarm record.</summary>
    [Id(0)] public bool Enabled { get; init; } = true;

    /// <summary>
    /// Senders whose mails are alarms: addresses (<c>alarmierung@ils-musterland.example</c>) or domains
    /// (<c>ils-musterland.example</c> or <c>@ils-musterland.example</c>), case-insensitive. A forwarded mail also matches
    /// by the original sender of its forwarded header block (<c>Von:</c>/<c>From:</c>). Empty: every sender is accepted.
    /// </summary>
    [Id(1)] public IReadOnlyList<string> AllowedSenders { get; init; } = [];

    /// <summary>
    /// Where the keyword comes from; <see cref="KeywordSource.Auto"/> by default. Stored settings keep the value they were
    /// stored with (tenants created before <c>Auto</c> existed keep <see cref="KeywordSource.Subject"/>).
    /// </summary>
    [Id(2)] public KeywordSource KeywordSource { get; init; } = KeywordSource.Auto;

    /// <summary>The label whose value is the keyword when <see cref="KeywordSource"/> is <see cref="KeywordSource.Label"/> or <see cref="KeywordSource.Auto"/>.</summary>
    [Id(3)] public string KeywordLabel { get; init; } = "Stichwort";

    /// <summary>Labels extracted in addition to the built-in ones (<see cref="AlarmLabels.BuiltIn"/>), e.g. <c>Meldender</c>.</summary>
    [Id(4)] public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Custom regular expressions with named groups; their values override label values of the same name.</summary>
    [Id(5)] public IReadOnlyList<AlarmRule> Rules { get; init; } = [];

    /// <summary>Test mode: alarms are evaluated and stored with status <see cref="AlarmStatus.Test"/> and not delivered.</summary>
    [Id(6)] public bool TestMode { get; init; }

    /// <summary>A mail whose incident number matches an alarm of the tenant whose latest mail is at most this many minutes apart updates that alarm. 0 turns merging off. Default 30.</summary>
    [Id(7)] public int IncidentMergeWindowMinutes { get; init; } = 30;

    /// <summary>A mail evaluated more than this many minutes after it was sent (Date header, else server receive time) is flagged <c>late</c>, its alarm and its stored message alike. 0 turns the flag off. Default 10.</summary>
    [Id(8)] public int LateAfterMinutes { get; init; } = 10;

    /// <summary>Whether a forwarded mail may pass the sender filter by its original sender (corpus mail 08). Default <see langword="true"/>.</summary>
    [Id(9)] public bool MatchForwardedSender { get; init; } = true;
}
