using System.Diagnostics;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// The regular-expression time budget of one mail (<see cref="AlarmOptions.RegexBudgetPerMail"/>): every regular expression
/// run on the mail (labels, custom rules, the forwarded-sender search) gets <see cref="AlarmOptions.RegexTimeout"/>, or less
/// when less is left of the mail's budget, and none once it is used up. So the rules of one mail cost at most the budget,
/// however many there are. One per evaluation; not thread-safe.
/// </summary>
internal sealed class RegexBudget(TimeSpan perRegex, TimeSpan perMail)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>The mail's budget.</summary>
    public TimeSpan PerMail => perMail;

    /// <summary>The timeout for the next regular expression, or <see langword="false"/> when the budget is used up.</summary>
    public bool TryGetTimeout(out TimeSpan timeout)
    {
        var remaining = perMail - Stopwatch.GetElapsedTime(_started);
        if (remaining <= TimeSpan.Zero)
        {
            timeout = TimeSpan.Zero;
            return false;
        }

        // Whole 10 ms steps below the per-regex timeout, so that compiled patterns cached by timeout stay few.
        timeout = remaining >= perRegex ? perRegex : TimeSpan.FromMilliseconds(Math.Max(1, Math.Floor(remaining.TotalMilliseconds / 10) * 10));
        return true;
    }
}
