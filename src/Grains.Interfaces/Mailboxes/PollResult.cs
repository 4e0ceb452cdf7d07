namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>What one poll did.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.PollResult")]
public sealed record PollResult
{
    /// <summary>Whether the poll ran and succeeded.</summary>
    [Id(0)] public required bool Succeeded { get; init; }

    /// <summary>How many new messages were stored.</summary>
    [Id(1)] public int NewMessages { get; init; }

    /// <summary>How long the poll took, in milliseconds.</summary>
    [Id(2)] public double DurationMs { get; init; }

    /// <summary>The error, when <see cref="Succeeded"/> is <see langword="false"/>.</summary>
    [Id(3)] public MailboxError? Error { get; init; }

    /// <summary>The watermark after the poll.</summary>
    [Id(4)] public required UidWatermark Watermark { get; init; }

    /// <summary>Whether the folder's UIDVALIDITY had changed since the last poll.</summary>
    [Id(5)] public bool UidValidityChanged { get; init; }

    /// <summary>Whether more new messages were waiting than one poll takes; the next poll follows at once.</summary>
    [Id(6)] public bool MoreWaiting { get; init; }

    /// <summary>Why the poll did not run (e.g. <c>paused</c>), when it was skipped.</summary>
    [Id(7)] public string? Skipped { get; init; }
}
