namespace AlarmInbox.Grains.Resilience;

/// <summary>
/// The one exponential backoff of AlarmInbox: after <c>n</c> failures in a row the delay is
/// <see cref="Initial"/> × 2^(n − 1), capped at <see cref="Cap"/>, then scaled by a jitter factor drawn uniformly from
/// [<see cref="JitterMin"/>, <see cref="JitterMax"/>). Mailbox polls (<see cref="Mailboxes.Backoff"/>), webhook deliveries
/// (<see cref="Webhooks.WebhookBackoff"/>) and token requests (<see cref="Auth.MsalAccessTokenProvider"/>) all compute
/// their delays here; each keeps its own options and its own reasons to wait longer (permanent errors, Retry-After).
/// </summary>
/// <remarks>Pure arithmetic, no state: the caller persists the failure count where the schedule must survive a restart.</remarks>
public readonly record struct ExponentialBackoff
{
    /// <summary>The delay after the first failure, before jitter.</summary>
    public required TimeSpan Initial { get; init; }

    /// <summary>The longest delay before jitter.</summary>
    public required TimeSpan Cap { get; init; }

    /// <summary>The smallest jitter factor (e.g. 0.8 for −20 %).</summary>
    public double JitterMin { get; init; }

    /// <summary>The largest jitter factor, exclusive (e.g. 1.2 for +20 %).</summary>
    public double JitterMax { get; init; }

    /// <summary>The delay before the next attempt.</summary>
    /// <param name="failures">Failures in a row, 1 for the first; values below 1 count as 1.</param>
    /// <param name="random">A random number in [0, 1), e.g. <see cref="Random.NextDouble"/>.</param>
    /// <returns>The delay in whole milliseconds; never negative.</returns>
    public TimeSpan Delay(int failures, double random)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var raw = Math.Min(Initial.TotalMilliseconds * Math.Pow(2, exponent), Cap.TotalMilliseconds);
        var factor = JitterMin + ((JitterMax - JitterMin) * Math.Clamp(random, 0, 1));
        return TimeSpan.FromMilliseconds(Math.Round(Math.Max(0, raw * factor)));
    }
}
