using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Resilience;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>Computes when a failing mailbox tries again (the arithmetic is <see cref="ExponentialBackoff"/>).</summary>
public static class Backoff
{
    /// <summary>
    /// The delay before the next attempt after <paramref name="failures"/> failures in a row (1 for the first):
    /// transient errors wait <c>BackoffBase × 2^(failures − 1)</c>, capped at <c>BackoffCap</c>, with ±20 % jitter;
    /// permanent errors (<see cref="MailboxErrorCodes.IsPermanent"/>) wait <c>PermanentErrorRetry</c>; a refusal because
    /// too many sessions are open (<see cref="MailboxErrorCodes.ConnectionLimit"/>) waits <c>BackoffBase × 2^(failures − 1)</c>
    /// capped at <c>ConnectionLimitBackoffCap</c>, jittered between half and all of it (other clients of the mailbox
    /// retry too); a throttled mailbox waits at least what the server suggested.
    /// </summary>
    /// <param name="options">The polling options.</param>
    /// <param name="failures">Consecutive failures, at least 1.</param>
    /// <param name="code">The error code of the last failure.</param>
    /// <param name="serverSuggested">The server's suggested wait, if any.</param>
    /// <param name="jitter">A random number in [0, 1).</param>
    public static TimeSpan NextDelay(PollingOptions options, int failures, string code, TimeSpan? serverSuggested, double jitter)
    {
        TimeSpan delay;
        if (MailboxErrorCodes.IsPermanent(code))
        {
            delay = options.PermanentErrorRetry;
        }
        else if (code == MailboxErrorCodes.ConnectionLimit)
        {
            delay = new ExponentialBackoff { Initial = options.BackoffBase, Cap = options.ConnectionLimitBackoffCap, JitterMin = 0.5, JitterMax = 1.0 }.Delay(failures, jitter);
        }
        else
        {
            delay = new ExponentialBackoff { Initial = options.BackoffBase, Cap = options.BackoffCap, JitterMin = 0.8, JitterMax = 1.2 }.Delay(failures, jitter);
        }

        return serverSuggested is { } suggested && suggested > delay ? suggested : delay;
    }
}
