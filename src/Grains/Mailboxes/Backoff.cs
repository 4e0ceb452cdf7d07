using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>Computes when a failing mailbox tries again.</summary>
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
            var exponent = Math.Clamp(failures - 1, 0, 30);
            var raw = Math.Min(options.BackoffBase.TotalMilliseconds * Math.Pow(2, exponent), options.ConnectionLimitBackoffCap.TotalMilliseconds);
            delay = TimeSpan.FromMilliseconds(raw * (0.5 + (0.5 * jitter)));
        }
        else
        {
            var exponent = Math.Clamp(failures - 1, 0, 30);
            var raw = options.BackoffBase.TotalMilliseconds * Math.Pow(2, exponent);
            var capped = Math.Min(raw, options.BackoffCap.TotalMilliseconds);
            delay = TimeSpan.FromMilliseconds(capped * (0.8 + (0.4 * jitter)));
        }

        return serverSuggested is { } suggested && suggested > delay ? suggested : delay;
    }
}
