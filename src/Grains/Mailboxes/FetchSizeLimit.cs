namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// How many bytes one FETCH part of a mailbox may carry, adapted to the link (one per mailbox, in memory, owned by the
/// grain; not thread-safe). It starts at <c>AlarmInbox:Imap:MaxMessageBytes</c>. When a part is not fetched within the
/// poll's budget (<c>AlarmInbox:Polling:PollTimeout</c>; a link slower than the part's size per budget), the limit falls
/// to a quarter of that part, not below <see cref="FloorBytes"/>: the next poll fetches smaller parts, a mail above the
/// limit only as its first bytes (flagged <c>size</c>), and so gets past the mail that timed out instead of failing on
/// it at every poll while the alarms behind it wait. A part of at least half the limit fetched in time doubles it again,
/// up to the configured maximum; a new activation of the grain starts at the maximum.
/// </summary>
public sealed class FetchSizeLimit
{
    /// <summary>The lowest limit, in bytes (256 KiB: the headers and the text of an alarm mail, without its attachments).</summary>
    public const int FloorBytes = 256 * 1024;

    /// <summary>Starts at <paramref name="maxBytes"/>.</summary>
    /// <param name="maxBytes">The configured maximum in bytes (<c>AlarmInbox:Imap:MaxMessageBytes</c>), at least 1.</param>
    public FetchSizeLimit(int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        Max = maxBytes;
        Current = maxBytes;
    }

    /// <summary>The configured maximum, in bytes.</summary>
    public int Max { get; }

    /// <summary>The limit for the next part, in bytes.</summary>
    public int Current { get; private set; }

    /// <summary>A part of <paramref name="partBytes"/> was not fetched within the poll's budget.</summary>
    /// <returns>Whether the limit fell (false when it is at its floor already).</returns>
    public bool TimedOut(long partBytes)
    {
        var floor = Math.Min(FloorBytes, Max);
        var next = (int)Math.Max(floor, Math.Min(Current, Math.Max(partBytes, 0)) / 4);
        if (next >= Current)
        {
            return false;
        }

        Current = next;
        return true;
    }

    /// <summary>A part of <paramref name="partBytes"/> was fetched in time.</summary>
    public void Fetched(long partBytes)
    {
        if (Current < Max && partBytes >= Current / 2)
        {
            Current = (int)Math.Min(Max, 2L * Current);
        }
    }
}
