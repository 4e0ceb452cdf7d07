using System.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Resilience;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// The processing budget of one mail: a time limit that the MIME walk and the HTML renderer check as they go (they stop
/// and keep what they extracted), and the <see cref="MailLimits"/> codes of every limit the mail hit. The time counts only
/// while the decoding thread works: the limit is up when both the wall clock and the thread's CPU time
/// (<see cref="ThreadCpuClock"/>) have passed it, so a thread starved of CPU or paused by a garbage collection does not cut a
/// legitimate mail's text short (up to five times the limit in wall-clock time). Not thread-safe: one per mail, used on the thread that created it.
/// </summary>
public sealed class DecodeBudget
{
    private const int WallClockCeiling = 5;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly TimeSpan _startedCpu = ThreadCpuClock.Now();
    private readonly TimeSpan _limit;
    private readonly List<string> _hit = [];

    /// <summary>A budget of <paramref name="limit"/> from now; <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public DecodeBudget(TimeSpan limit) => _limit = limit;

    /// <summary>A budget without a time limit (the size caps still apply).</summary>
    public static DecodeBudget Unlimited => new(Timeout.InfiniteTimeSpan);

    /// <summary>The limits hit so far, in the order they were hit, each once.</summary>
    public IReadOnlyList<string> Limits => _hit;

    /// <summary>Whether the time is up; the first time it is, <see cref="MailLimits.TimeBudget"/> is recorded.</summary>
    public bool IsExhausted
    {
        get
        {
            if (_limit == Timeout.InfiniteTimeSpan)
            {
                return false;
            }

            // The wall clock first: it is cheap, and the thread's CPU time can only be less. A machine so starved that the
            // CPU time would take five times the limit ends the budget anyway (one mail must not hold up its poll).
            var wall = Stopwatch.GetElapsedTime(_started);
            if (wall <= _limit || (wall <= _limit * WallClockCeiling && ThreadCpuClock.Now() - _startedCpu < _limit))
            {
                return false;
            }

            Hit(MailLimits.TimeBudget);
            return true;
        }
    }

    /// <summary>Records that the mail hit limit <paramref name="code"/> (a <see cref="MailLimits"/> code).</summary>
    public void Hit(string code)
    {
        if (!_hit.Contains(code))
        {
            _hit.Add(code);
        }
    }
}
