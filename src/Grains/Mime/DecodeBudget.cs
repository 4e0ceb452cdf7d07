using System.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// The processing budget of one mail: a time limit that the MIME walk and the HTML renderer check as they go (they stop
/// and keep what they extracted), and the <see cref="MailLimits"/> codes of every limit the mail hit. Not thread-safe:
/// one per mail.
/// </summary>
public sealed class DecodeBudget
{
    private readonly long _started = Stopwatch.GetTimestamp();
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
            if (_limit == Timeout.InfiniteTimeSpan || Stopwatch.GetElapsedTime(_started) <= _limit)
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
