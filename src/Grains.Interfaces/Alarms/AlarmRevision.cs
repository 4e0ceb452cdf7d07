namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>One mail of an alarm's incident, as it was evaluated: the first one and every update.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.AlarmRevision")]
public sealed record AlarmRevision
{
    /// <summary>1 for the mail that created the alarm, then 2, 3, … for each update.</summary>
    [Id(0)] public required int Revision { get; init; }

    /// <summary>The mail.</summary>
    [Id(1)] public required AlarmSource Source { get; init; }

    /// <summary>When it was evaluated (UTC).</summary>
    [Id(2)] public required DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>The keyword of this mail.</summary>
    [Id(3)] public string? Keyword { get; init; }

    /// <summary>The fields of this mail.</summary>
    [Id(4)] public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
}
