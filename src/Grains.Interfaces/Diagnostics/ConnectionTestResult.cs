namespace AlarmInbox.Grains.Interfaces.Diagnostics;

/// <summary>The result of a connection test: every step of <see cref="ConnectionTestSteps.All"/>, in order.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.ConnectionTestResult")]
public sealed record ConnectionTestResult
{
    /// <summary>Whether every step passed or was skipped because it does not apply.</summary>
    [Id(0)] public required bool Succeeded { get; init; }

    /// <summary>Total duration in milliseconds.</summary>
    [Id(1)] public double DurationMs { get; init; }

    /// <summary>The steps in order; after a failed step the rest are <see cref="ConnectionTestOutcome.Skipped"/>.</summary>
    [Id(2)] public IReadOnlyList<ConnectionTestStep> Steps { get; init; } = [];

    /// <summary>When step <c>validate</c> failed: field (JSON name) → messages, like a 400 validation problem.</summary>
    [Id(3)] public IReadOnlyDictionary<string, string[]>? FieldErrors { get; init; }
}
