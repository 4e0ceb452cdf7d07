namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>A mailbox's override of its tenant's <see cref="EvaluationSettings"/>: each non-null value replaces the tenant's.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.EvaluationOverride")]
public sealed record EvaluationOverride
{
    /// <summary>See <see cref="EvaluationSettings.Enabled"/>.</summary>
    [Id(0)] public bool? Enabled { get; init; }

    /// <summary>See <see cref="EvaluationSettings.AllowedSenders"/>.</summary>
    [Id(1)] public IReadOnlyList<string>? AllowedSenders { get; init; }

    /// <summary>See <see cref="EvaluationSettings.KeywordSource"/>.</summary>
    [Id(2)] public KeywordSource? KeywordSource { get; init; }

    /// <summary>See <see cref="EvaluationSettings.KeywordLabel"/>.</summary>
    [Id(3)] public string? KeywordLabel { get; init; }

    /// <summary>See <see cref="EvaluationSettings.Labels"/>.</summary>
    [Id(4)] public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>See <see cref="EvaluationSettings.Rules"/>.</summary>
    [Id(5)] public IReadOnlyList<AlarmRule>? Rules { get; init; }

    /// <summary>See <see cref="EvaluationSettings.TestMode"/>.</summary>
    [Id(6)] public bool? TestMode { get; init; }

    /// <summary>See <see cref="EvaluationSettings.IncidentMergeWindowMinutes"/>.</summary>
    [Id(7)] public int? IncidentMergeWindowMinutes { get; init; }

    /// <summary>See <see cref="EvaluationSettings.LateAfterMinutes"/>.</summary>
    [Id(8)] public int? LateAfterMinutes { get; init; }

    /// <summary>See <see cref="EvaluationSettings.MatchForwardedSender"/>.</summary>
    [Id(9)] public bool? MatchForwardedSender { get; init; }

    /// <summary>Returns <paramref name="defaults"/> with this override's non-null values applied.</summary>
    public EvaluationSettings ApplyTo(EvaluationSettings defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        return new EvaluationSettings
        {
            Enabled = Enabled ?? defaults.Enabled,
            AllowedSenders = AllowedSenders ?? defaults.AllowedSenders,
            KeywordSource = KeywordSource ?? defaults.KeywordSource,
            KeywordLabel = KeywordLabel ?? defaults.KeywordLabel,
            Labels = Labels ?? defaults.Labels,
            Rules = Rules ?? defaults.Rules,
            TestMode = TestMode ?? defaults.TestMode,
            IncidentMergeWindowMinutes = IncidentMergeWindowMinutes ?? defaults.IncidentMergeWindowMinutes,
            LateAfterMinutes = LateAfterMinutes ?? defaults.LateAfterMinutes,
            MatchForwardedSender = MatchForwardedSender ?? defaults.MatchForwardedSender,
        };
    }
}
