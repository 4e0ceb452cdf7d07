using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// Spaces the first polls of mailboxes activated on this silo at <see cref="PollingOptions.FirstPollsPerSecond"/>, so
/// that a silo start or a fail-over with thousands of mailboxes does not log in to every one at once, while a handful
/// still starts at once. One instance per silo process; thread-safe.
/// </summary>
public sealed class FirstPollPacer(IOptions<PollingOptions> options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly TimeSpan _spacing = TimeSpan.FromSeconds(1 / options.Value.FirstPollsPerSecond);
    private readonly TimeSpan _jitter = options.Value.StartupSpread;
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;

    /// <summary>
    /// Takes the next free slot and returns how long the mailbox should wait before its first poll: the wait for the
    /// slot plus a random jitter of up to <see cref="PollingOptions.StartupSpread"/>, never more than
    /// <paramref name="interval"/>.
    /// </summary>
    /// <param name="interval">The mailbox's poll interval.</param>
    /// <returns>The delay, between zero and <paramref name="interval"/>.</returns>
    public TimeSpan NextDelay(TimeSpan interval)
    {
        var now = time.GetUtcNow();
        TimeSpan wait;
        lock (_lock)
        {
            var slot = _nextSlot > now ? _nextSlot : now;
            _nextSlot = slot + _spacing;
            wait = slot - now;
        }

        var jitter = TimeSpan.FromTicks(Math.Min(_jitter.Ticks, interval.Ticks));
        if (jitter > TimeSpan.Zero)
        {
            wait += TimeSpan.FromTicks(Random.Shared.NextInt64(jitter.Ticks));
        }

        return wait < interval ? wait : interval;
    }
}
