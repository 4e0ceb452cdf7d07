namespace AlarmInbox.Grains.Mailboxes;

/// <summary>How a session held by <see cref="ImapIdleSessions"/> (in IDLE or polled) ended (<see cref="IMailboxIdleEvents.OnIdleSessionEndedAsync"/>).</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.IdleSessionEnd")]
public sealed record IdleSessionEnd
{
    /// <summary>The error code (<see cref="Interfaces.Mailboxes.MailboxErrorCodes"/>); <see langword="null"/> when the session reached <see cref="PollingOptions.SessionLifetime"/> and was closed to be renewed.</summary>
    [Id(0)] public string? Code { get; init; }

    /// <summary>The sentence for the admin (never a secret).</summary>
    [Id(1)] public string Message { get; init; } = "";

    /// <summary>How many IDLE rounds (or poll rounds) the session completed before it ended.</summary>
    [Id(2)] public int Rounds { get; init; }

    /// <summary>How long the server asked to wait, if it did.</summary>
    [Id(3)] public TimeSpan? RetryAfter { get; init; }

    /// <summary>When the session's last poll round got the server's answer (a polled session, <see cref="PollWatch"/>); <see langword="null"/> for IDLE and before the first round.</summary>
    [Id(4)] public DateTimeOffset? LastRoundAt { get; init; }
}
