namespace AlarmInbox.Grains.Interfaces.Health;

/// <summary>A storage problem a silo has seen and not yet seen recover: a write that could not be made durable.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.StorageProblem")]
public sealed record StorageProblem
{
    /// <summary>The stable code, always <see cref="UnavailableCode"/>.</summary>
    public const string UnavailableCode = "storage_unavailable";

    /// <summary>The stable code (<see cref="UnavailableCode"/>), as in status, health answers and the metric's tag.</summary>
    [Id(0)] public string Code { get; init; } = UnavailableCode;

    /// <summary>What failed: <c>smtp-spool</c> (the SMTP spool) or <c>grain-storage</c> (the database behind the grains).</summary>
    [Id(1)] public required string Component { get; init; }

    /// <summary>When the first failure of this run of failures was seen (UTC).</summary>
    [Id(2)] public DateTimeOffset Since { get; init; }

    /// <summary>The exception type of the last failure (never its message: messages can carry paths or connection details).</summary>
    [Id(3)] public required string Reason { get; init; }

    /// <summary>The silo that saw it.</summary>
    [Id(4)] public string Silo { get; init; } = "";

    /// <summary>One line for people and health answers, e.g. <c>storage_unavailable: smtp-spool on silo1 since 2026-12-06T22:40:00Z (IOException)</c>.</summary>
    public string Describe() =>
        $"{Code}: {Component} on {Silo} since {Since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} ({Reason})";
}
