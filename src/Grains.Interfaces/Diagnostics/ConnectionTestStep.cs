namespace AlarmInbox.Grains.Interfaces.Diagnostics;

/// <summary>One step of a connection test.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.ConnectionTestStep")]
public sealed record ConnectionTestStep
{
    /// <summary>The step, one of <see cref="ConnectionTestSteps"/>.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>How it ended.</summary>
    [Id(1)] public required ConnectionTestOutcome Outcome { get; init; }

    /// <summary>How long it took, in milliseconds (0 when skipped).</summary>
    [Id(2)] public double DurationMs { get; init; }

    /// <summary>A stable code from <see cref="Mailboxes.MailboxErrorCodes"/> when it failed.</summary>
    [Id(3)] public string? Code { get; init; }

    /// <summary>What happened, with the server's or Entra ID's own message (and AADSTS number) when it failed. Never contains a secret or token.</summary>
    [Id(4)] public string Message { get; init; } = "";

    /// <summary>What to check, naming the setup step to fix, when it failed.</summary>
    [Id(5)] public string? Hint { get; init; }
}
