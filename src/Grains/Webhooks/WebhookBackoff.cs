namespace AlarmInbox.Grains.Webhooks;

/// <summary>
/// The delay before the next attempt: exponential (initial × 2^(failures − 1), capped) with jitter (a random 50–100 % of it).
/// Own code on purpose: the schedule is persisted per delivery and must survive restarts, which an in-memory
/// Polly pipeline does not.
/// </summary>
public static class WebhookBackoff
{
    /// <summary>The delay after <paramref name="failures"/> failed attempts (1 or more).</summary>
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan max, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = Math.Min(max.Ticks, initial.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)(ticks * (0.5 + (random.NextDouble() * 0.5))));
    }
}
