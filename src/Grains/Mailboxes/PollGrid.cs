namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// Timer coalescing for polls: the next poll of every mailbox is moved up to the next point of one grid shared by the
/// whole silo (multiples of <see cref="PollingOptions.PollSlot"/> since the Unix epoch), so that the polls due within one
/// slot run as one burst of thread-pool work. Without it, 1,000 mailboxes polled every 60 s wake the silo's threads 17
/// times a second for one tiny poll each, and waking a sleeping thread costs more than the poll on a kept session.
/// A poll comes at most one slot later than its interval asks; the interval is kept on average because the next poll
/// is counted from the grid point the previous one was due at, not from when it finished.
/// </summary>
public static class PollGrid
{
    /// <summary>The first grid point at or after <paramref name="at"/>.</summary>
    /// <param name="at">The time a poll would be due without the grid.</param>
    /// <param name="slot">The grid's spacing; zero or negative: no grid, <paramref name="at"/> is returned.</param>
    /// <returns>A time at or after <paramref name="at"/> and less than one <paramref name="slot"/> after it.</returns>
    public static DateTimeOffset AlignUp(DateTimeOffset at, TimeSpan slot)
    {
        if (slot <= TimeSpan.Zero)
        {
            return at;
        }

        var past = at.UtcTicks % slot.Ticks;
        return past == 0 ? at : at.AddTicks(slot.Ticks - past);
    }

    /// <summary>
    /// The grid point nearest <paramref name="at"/>: the point a timer tick that fired a little late (or, by the wall
    /// clock, a little early) was due at.
    /// </summary>
    /// <param name="at">When a poll started.</param>
    /// <param name="slot">The grid's spacing; zero or negative: no grid, <paramref name="at"/> is returned.</param>
    /// <returns>A grid point less than half a <paramref name="slot"/> from <paramref name="at"/>.</returns>
    public static DateTimeOffset Nearest(DateTimeOffset at, TimeSpan slot)
    {
        if (slot <= TimeSpan.Zero)
        {
            return at;
        }

        var past = at.UtcTicks % slot.Ticks;
        return past * 2 < slot.Ticks ? at.AddTicks(-past) : at.AddTicks(slot.Ticks - past);
    }

    /// <summary>
    /// How long to wait from <paramref name="now"/> for a poll due <paramref name="delay"/> after <paramref name="from"/>,
    /// moved up to the grid. A delay of zero or less (more mails waiting) is not moved: such a poll runs at once.
    /// </summary>
    /// <param name="from">What the delay counts from: the grid point the last poll was due at, or now.</param>
    /// <param name="delay">The interval or the backoff.</param>
    /// <param name="now">The current time.</param>
    /// <param name="slot">The grid's spacing (<see cref="PollingOptions.PollSlot"/>).</param>
    /// <returns>The wait, zero when the aligned time has already passed (a poll that took longer than its interval).</returns>
    public static TimeSpan Wait(DateTimeOffset from, TimeSpan delay, DateTimeOffset now, TimeSpan slot)
    {
        if (delay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var wait = AlignUp(from + delay, slot) - now;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }
}
