namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>What the evaluation of one mail found: the pure result, before incident merge.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.AlarmEvaluation")]
public sealed record AlarmEvaluation
{
    /// <summary>Whether the mail is an alarm (the sender is allowed and it has a keyword or an incident number).</summary>
    [Id(0)] public required bool IsAlarm { get; init; }

    /// <summary>Why it is not, when <see cref="IsAlarm"/> is <see langword="false"/>.</summary>
    [Id(1)] public AlarmRejection? Rejection { get; init; }

    /// <summary>The keyword (Stichwort), or <see langword="null"/>.</summary>
    [Id(2)] public string? Keyword { get; init; }

    /// <summary>The incident number (Einsatznummer), or <see langword="null"/>.</summary>
    [Id(3)] public string? IncidentNumber { get; init; }

    /// <summary>Extracted fields: label or group name → value (e.g. <c>Straße</c> → <c>Lindenweg 7</c>).</summary>
    [Id(4)] public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    /// <summary>Which rule produced each field: <c>label</c>, <c>xml:&lt;file&gt;</c> or <c>rule:&lt;name&gt;</c>; plus <c>keyword</c> → <c>subject</c>/<c>label:&lt;label&gt;</c>/<c>xml:&lt;file&gt;</c>.</summary>
    [Id(5)] public IReadOnlyDictionary<string, string> FieldSources { get; init; } = new Dictionary<string, string>();

    /// <summary>The position parsed from <c>Koordinaten</c> or the XML attachment, or <see langword="null"/>.</summary>
    [Id(6)] public GeoPosition? Position { get; init; }

    /// <summary>The names of the custom rules that matched.</summary>
    [Id(7)] public IReadOnlyList<string> MatchedRules { get; init; } = [];

    /// <summary>Rules that timed out or failed; the evaluation went on without them.</summary>
    [Id(8)] public IReadOnlyList<RuleError> RuleErrors { get; init; } = [];

    /// <summary>The allowed-sender entry that matched, or <see langword="null"/> when none did or the list is empty.</summary>
    [Id(9)] public string? MatchedSender { get; init; }

    /// <summary>The original sender of a forwarded mail (the sender of the attached original, or the one named in an inline forward's header block), or <see langword="null"/>.</summary>
    [Id(10)] public string? OriginalFrom { get; init; }

    /// <summary>Whether the mail was evaluated later than <see cref="EvaluationSettings.LateAfterMinutes"/> after it was sent.</summary>
    [Id(11)] public bool Late { get; init; }

    /// <summary>The alarm text: the decoded body of the level evaluated (the attached original for a mail forwarded as an attachment).</summary>
    [Id(12)] public string Text { get; init; } = "";

    /// <summary>How long the evaluation took, in milliseconds.</summary>
    [Id(13)] public double DurationMs { get; init; }

    /// <summary>0 when the mail itself was evaluated; 1 to 3 when it was evaluated on a mail attached to it (forwarded as an attachment) at that depth.</summary>
    [Id(14)] public int AttachedLevel { get; init; }
}
