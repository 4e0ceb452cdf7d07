namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>What a mailbox has done so far.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailboxStatus")]
public sealed record MailboxStatus
{
    /// <summary>The current state.</summary>
    [Id(0)] public required MailboxState State { get; init; }

    /// <summary>When the last poll finished, successful or not (UTC); <see langword="null"/> before the first.</summary>
    [Id(1)] public DateTimeOffset? LastPollAt { get; init; }

    /// <summary>When the last successful poll finished (UTC).</summary>
    [Id(2)] public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>The error of the last poll if it failed; <see langword="null"/> after a success.</summary>
    [Id(3)] public MailboxError? LastError { get; init; }

    /// <summary>How many messages this mailbox has fetched and stored since it was created.</summary>
    [Id(4)] public long MessagesFetched { get; init; }

    /// <summary>The UID watermark.</summary>
    [Id(5)] public required UidWatermark Watermark { get; init; }

    /// <summary>How many consecutive polls have failed.</summary>
    [Id(6)] public int ConsecutiveFailures { get; init; }

    /// <summary>
    /// Whether the server has been reached recently: the last successful contact (poll, IDLE round trip or NOOP) is
    /// younger than three poll intervals (or three IDLE heartbeats, whichever is longer). Paused mailboxes are healthy.
    /// </summary>
    [Id(7)] public bool Healthy { get; init; } = true;

    /// <summary>The last successful contact with the server (UTC): a poll, an IDLE round trip or a NOOP.</summary>
    [Id(8)] public DateTimeOffset? LastContactAt { get; init; }

    /// <summary>Whether a session is open in IDLE (RFC 2177) right now, so new mail is fetched as it arrives.</summary>
    [Id(9)] public bool IdleActive { get; init; }

    /// <summary>When the next attempt is planned after a failure (UTC), following the backoff; <see langword="null"/> when not failing.</summary>
    [Id(10)] public DateTimeOffset? NextAttemptAt { get; init; }
}
