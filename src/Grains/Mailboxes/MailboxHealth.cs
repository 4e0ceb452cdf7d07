using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// The health and backoff bookkeeping of one mailbox activation: success and failure written into the state (last
/// error, failures in a row), when the server last answered, when the next attempt is due (<see cref="Backoff"/>, at least
/// what the server asked for), and when IDLE is given up for a while in favour of polling. Plain in-memory object owned
/// by the grain; what users see is stored by the grain.
/// </summary>
/// <param name="options">The polling options.</param>
/// <param name="time">The clock.</param>
public sealed class MailboxHealth(PollingOptions options, TimeProvider time)
{
    private TimeSpan? _serverRetryAfter;

    /// <summary>When the server last answered (a sync, or an IDLE round).</summary>
    public DateTimeOffset? LastContactAt { get; private set; }

    /// <summary>The later of <see cref="LastContactAt"/> and <paramref name="lastRoundAt"/> (the session service's last poll round, if it polls the session).</summary>
    public DateTimeOffset? LastContactWith(DateTimeOffset? lastRoundAt) => Later(LastContactAt, lastRoundAt);

    /// <summary>When the next attempt after a failure is due; <see langword="null"/> when the last attempt succeeded.</summary>
    public DateTimeOffset? NextAttemptAt { get; private set; }

    /// <summary>Until when Microsoft Graph asked (Retry-After) for no requests of this mailbox.</summary>
    public DateTimeOffset? GraphNotBefore { get; private set; }

    /// <summary>Until when the mailbox polls instead of using IDLE after <see cref="PollingOptions.MaxIdleFailures"/> failures.</summary>
    public DateTimeOffset? IdleFallbackUntil { get; private set; }

    /// <summary>Whether IDLE is given up for now.</summary>
    public bool IdleFallbackActive => IdleFallbackUntil is { } until && time.GetUtcNow() < until;

    private int IdleFailures { get; set; }

    /// <summary>Starts from the stored state (after an activation).</summary>
    public void Activated(MailboxGrainState state) => LastContactAt = state.LastSuccessAt;

    /// <summary>The server answered (an IDLE round).</summary>
    public void Contact() => LastContactAt = time.GetUtcNow();

    /// <summary>The settings changed: the backoff and the IDLE fallback start over.</summary>
    public void Reset(MailboxGrainState state)
    {
        state.LastError = null;
        state.ConsecutiveFailures = 0;
        NextAttemptAt = null;
        IdleFallbackUntil = null;
        IdleFailures = 0;
        _serverRetryAfter = null;
    }

    /// <summary>A session went into IDLE: IDLE failures start over.</summary>
    public void IdleStarted() => IdleFailures = 0;

    /// <summary>Records a successful sync in <paramref name="state"/>.</summary>
    /// <param name="state">The mailbox state.</param>
    /// <param name="uidValidityChanged">The sync found another UIDVALIDITY.</param>
    /// <param name="at">When the server answered; <see langword="null"/>: now. The session service's last poll round passes its time.</param>
    /// <returns>Whether the visible status changed (a recovery, another UIDVALIDITY, the first success or the first after more than 10 minutes without one), so that the state is worth a write.</returns>
    public bool RecordSuccess(MailboxGrainState state, bool uidValidityChanged, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var now = at ?? time.GetUtcNow();
        var recovered = state.LastError is not null;
        var afterGap = state.LastSuccessAt is null || now - state.LastSuccessAt > TimeSpan.FromMinutes(10);
        state.LastPollAt = state.LastSuccessAt = now;
        LastContactAt = now;
        state.LastError = null;
        state.ConsecutiveFailures = 0;
        NextAttemptAt = null;
        GraphNotBefore = null;
        _serverRetryAfter = null;
        return recovered || uidValidityChanged || afterGap;
    }

    /// <summary>Records a failed attempt in <paramref name="state"/>.</summary>
    /// <param name="state">The mailbox state.</param>
    /// <param name="failure">A <see cref="MailboxAccessException"/>, an <see cref="OperationCanceledException"/> (the budget ran out) or a <see cref="System.Security.Cryptography.CryptographicException"/> (a secret cannot be decrypted).</param>
    /// <param name="budget">The time the attempt had.</param>
    /// <param name="countsForIdle">The attempt was to open or keep an IDLE session: enough of them in a row give IDLE up for <see cref="PollingOptions.IdleFallbackPeriod"/>.</param>
    /// <returns>The error, and whether it differs from the stored one (so that the state is worth a write), and whether IDLE was just given up.</returns>
    public (MailboxError Error, bool Changed, bool IdleGivenUp) RecordFailure(MailboxGrainState state, Exception failure, TimeSpan budget, bool countsForIdle)
    {
        var now = time.GetUtcNow();
        var error = failure switch
        {
            MailboxAccessException access => new MailboxError(access.Code, access.Message, now, MailboxErrorHints.For(access.Code, state.Settings.Office365?.AuthorityHost)),
            OperationCanceledException => new MailboxError(MailboxErrorCodes.Timeout, $"The poll did not finish within {budget.TotalSeconds:0} s.", now, MailboxErrorHints.For(MailboxErrorCodes.Timeout)),
            _ => new MailboxError(MailboxErrorCodes.Unexpected, MailboxCredentials.UnreadableSecret, now, MailboxErrorHints.For(MailboxErrorCodes.Unexpected)),
        };
        _serverRetryAfter = (failure as MailboxAccessException)?.RetryAfter;
        if (state.Settings.AuthType == MailboxAuthType.Graph && _serverRetryAfter is { } wait)
        {
            GraphNotBefore = now + wait;
        }

        state.LastPollAt = now;
        var changed = state.LastError?.Code != error.Code || state.LastError?.Message != error.Message;
        state.LastError = error;
        state.ConsecutiveFailures++;
        var givenUp = false;
        if (countsForIdle && ++IdleFailures >= options.MaxIdleFailures)
        {
            IdleFallbackUntil = now + options.IdleFallbackPeriod;
            givenUp = true;
        }

        return (error, changed, givenUp);
    }

    /// <summary>The delay before the next attempt after the failure just recorded; also sets <see cref="NextAttemptAt"/>.</summary>
    public TimeSpan NextRetryDelay(MailboxGrainState state)
    {
        var delay = Backoff.NextDelay(options, Math.Max(1, state.ConsecutiveFailures), state.LastError?.Code ?? MailboxErrorCodes.Unexpected, _serverRetryAfter, Random.Shared.NextDouble());
        NextAttemptAt = time.GetUtcNow() + delay;
        return delay;
    }

    /// <summary>How long after the last contact a mailbox polled every <paramref name="interval"/> counts as out of contact: three intervals, at least three IDLE heartbeats.</summary>
    public TimeSpan ContactWindow(TimeSpan interval) => 3 * (interval > options.IdleHeartbeat ? interval : options.IdleHeartbeat);

    /// <summary>
    /// When the mailbox counts as out of contact: three intervals (at least three IDLE heartbeats) after the last contact;
    /// <see langword="null"/> when it is not polled. Never reached and failing is out of contact at once; never reached
    /// and not failing gets the grace of the window.
    /// </summary>
    /// <param name="state">The mailbox state.</param>
    /// <param name="polled">Whether the mailbox is polled (enabled, not paused).</param>
    /// <param name="interval">The poll interval.</param>
    /// <param name="lastRoundAt">When the session service's last poll round got the server's answer, if it polls the session: a contact too.</param>
    public DateTimeOffset? ContactDeadline(MailboxGrainState state, bool polled, TimeSpan interval, DateTimeOffset? lastRoundAt = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        return !polled ? null
            : LastContactWith(lastRoundAt) is { } contact ? contact + ContactWindow(interval)
            : state.LastError is null ? state.CreatedAt + ContactWindow(interval)
            : DateTimeOffset.MinValue;
    }

    /// <summary>The failure to record instead of a Graph request while Microsoft Graph's Retry-After lasts; <see langword="null"/> when a request may be sent.</summary>
    public MailboxAccessException? GraphWaitFailure()
    {
        var now = time.GetUtcNow();
        return GraphNotBefore is { } notBefore && now < notBefore
            ? new MailboxAccessException(
                MailboxErrorCodes.GraphThrottled,
                $"Microsoft Graph asked for no requests of this mailbox before {notBefore:HH:mm:ss} UTC (Retry-After); nothing was sent.",
                retryAfter: notBefore - now)
            : null;
    }

    /// <summary>The status users see: the stored one, with the session service's last round (<paramref name="lastRoundAt"/>) as the last poll, success and contact when it is later.</summary>
    /// <param name="state">The mailbox state.</param>
    /// <param name="current">The mailbox's state now.</param>
    /// <param name="polled">Whether the mailbox is polled (enabled, not paused).</param>
    /// <param name="interval">The poll interval.</param>
    /// <param name="lastRoundAt">When the session service's last poll round got the server's answer, if it polls the session.</param>
    /// <param name="inIdle">Whether the session is in IDLE now.</param>
    public MailboxStatus Status(MailboxGrainState state, MailboxState current, bool polled, TimeSpan interval, DateTimeOffset? lastRoundAt, bool inIdle)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new MailboxStatus
        {
            State = current,
            LastPollAt = Later(state.LastPollAt, lastRoundAt),
            LastSuccessAt = Later(state.LastSuccessAt, lastRoundAt),
            LastError = state.LastError,
            MessagesFetched = state.MessagesFetched,
            Watermark = state.Watermark,
            ConsecutiveFailures = state.ConsecutiveFailures,
            LastContactAt = LastContactWith(lastRoundAt),
            Healthy = ContactDeadline(state, polled, interval, lastRoundAt) is not { } deadline || deadline >= time.GetUtcNow(),
            IdleActive = inIdle,
            NextAttemptAt = state.LastError is null ? null : NextAttemptAt,
        };
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null || a >= b ? a : b;
}
