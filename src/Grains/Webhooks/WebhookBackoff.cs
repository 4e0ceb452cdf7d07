using AlarmInbox.Grains.Resilience;

namespace AlarmInbox.Grains.Webhooks;

/// <summary>
/// The delay before the next attempt: exponential (initial × 2^(failures − 1), capped) with jitter (a random 50–100 % of it), computed by <see cref="ExponentialBackoff"/>.
/// Own code on purpose: the schedule is persisted per delivery and must survive restarts, which an in-memory
/// Polly pipeline does not.
/// </summary>
public static class WebhookBackoff
{
    /// <summary>The delay after <paramref name="failures"/> failed attempts (1 or more).</summary>
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan max, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return new ExponentialBackoff { Initial = initial, Cap = max, JitterMin = 0.5, JitterMax = 1.0 }.Delay(failures, random.NextDouble());
    }
}
