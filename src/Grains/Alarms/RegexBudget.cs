using System.Diagnostics;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// The regular-expression time budget of one mail (<see cref="AlarmOptions.RegexBudgetPerMail"/>): every regular expression
/// run on the mail (labels, custom rules, the forwarded-sender search) gets <see cref="AlarmOptions.RegexTimeout"/>, or less
/// when less is left of the mail's budget (in whole 10 ms steps), and none once less than one step is left. So the rules of
/// one mail cost at most the budget, however many there are. One per evaluation; not thread-safe.
/// </summary>
/// <remarks>
/// .NET checks a regular expression's timeout against <see cref="Environment.TickCount64"/>, a coarse clock (4 ms steps on
/// the Linux machines measured), so a timeout of a few milliseconds fires after anything from nothing to one clock step:
/// the last milliseconds of a budget would run an unpredictable number of patterns. They are not handed out.
/// </remarks>
internal sealed class RegexBudget(TimeSpan perRegex, TimeSpan perMail)
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>The mail's budget.</summary>
    public TimeSpan PerMail => perMail;

    /// <summary>The timeout for the next regular expression, or <see langword="false"/> when the budget is used up.</summary>
    public bool TryGetTimeout(out TimeSpan timeout)
    {
        var remaining = perMail - Stopwatch.GetElapsedTime(_started);

        // Whole 10 ms steps below the per-regex timeout, so that compiled patterns cached by timeout stay few.
        timeout = remaining >= perRegex ? perRegex : TimeSpan.FromMilliseconds(Math.Floor(remaining.TotalMilliseconds / Step.TotalMilliseconds) * Step.TotalMilliseconds);
        if (timeout <= TimeSpan.Zero)
        {
            timeout = TimeSpan.Zero;
            return false;
        }

        return true;
    }
}
