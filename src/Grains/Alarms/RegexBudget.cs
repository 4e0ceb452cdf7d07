using System.Diagnostics;
using System.Text.RegularExpressions;
using AlarmInbox.Grains.Resilience;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// The regular-expression time budget of one mail (<see cref="AlarmOptions.RegexBudgetPerMail"/>): every regular expression
/// run on the mail (labels, custom rules) gets <see cref="AlarmOptions.RegexTimeout"/>, or less when less is left of the
/// mail's budget (in whole 10 ms steps), and none once less than one step is left. So the rules of one mail cost at most the
/// budget, however many there are. The budget counts the evaluating thread's CPU time (<see cref="ThreadCpuClock"/>), and a
/// timeout that came while the thread was stopped rather than working (<see cref="Run{T}"/>) is run again: a stalled machine
/// must not cost a legitimate mail its Einsatznummer. The wall-clock time is capped too (<see cref="WallClockCeiling"/>).
/// One per evaluation, on one thread; not thread-safe.
/// </summary>
/// <remarks>
/// .NET checks a regular expression's timeout against <see cref="Environment.TickCount64"/>, a coarse wall clock (4 ms steps
/// on the Linux machines measured), so a timeout of a few milliseconds fires after anything from nothing to one clock step:
/// the last milliseconds of a budget would run an unpredictable number of patterns. They are not handed out.
/// </remarks>
internal sealed class RegexBudget
{
    /// <summary>How often one pattern is tried when its timeouts come from stalls (the last try's timeout is reported).</summary>
    public const int MaxAttempts = 3;

    /// <summary>
    /// The wall-clock ceiling as a multiple of the budget: on a machine so starved that the mail's CPU budget would take
    /// longer than this, the budget ends anyway, so that one mail cannot hold up its mailbox's poll for long.
    /// </summary>
    public const int WallClockCeiling = 5;

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private readonly TimeSpan _perRegex;
    private readonly TimeSpan _perMail;
    private readonly Func<TimeSpan> _cpu;
    private readonly TimeSpan _started;
    private readonly long _startedWall = Stopwatch.GetTimestamp();

    /// <summary>A budget of <paramref name="perMail"/> CPU time from now, <paramref name="perRegex"/> at most per pattern.</summary>
    /// <param name="perRegex">The timeout of one pattern.</param>
    /// <param name="perMail">The budget of the mail.</param>
    /// <param name="cpu">The thread's CPU clock; <see cref="ThreadCpuClock.Now"/> unless a test gives its own.</param>
    public RegexBudget(TimeSpan perRegex, TimeSpan perMail, Func<TimeSpan>? cpu = null)
    {
        _perRegex = perRegex;
        _perMail = perMail;
        _cpu = cpu ?? ThreadCpuClock.Now;
        _started = _cpu();
    }

    /// <summary>The mail's budget.</summary>
    public TimeSpan PerMail => _perMail;

    /// <summary>The timeout for the next regular expression, or <see langword="false"/> when the budget is used up.</summary>
    public bool TryGetTimeout(out TimeSpan timeout)
    {
        var remaining = Stopwatch.GetElapsedTime(_startedWall) > _perMail * WallClockCeiling ? TimeSpan.Zero : _perMail - (_cpu() - _started);

        // Whole 10 ms steps below the per-regex timeout, so that compiled patterns cached by timeout stay few.
        timeout = remaining >= _perRegex ? _perRegex : TimeSpan.FromMilliseconds(Math.Floor(remaining.TotalMilliseconds / Step.TotalMilliseconds) * Step.TotalMilliseconds);
        if (timeout <= TimeSpan.Zero)
        {
            timeout = TimeSpan.Zero;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> with the next timeout of the budget. A <see cref="RegexMatchTimeoutException"/> after
    /// which the thread had used less than half the timeout in CPU time means the thread was stopped (starved of CPU, paused
    /// by a blocking garbage collection), not that the pattern was slow on this mail: the attempt runs again, at most
    /// <see cref="MaxAttempts"/> times in all and only while the budget lasts.
    /// </summary>
    /// <returns>The result, or why there is none: <see cref="RegexRunOutcome.TimedOut"/> (with the timeout of the last try) or <see cref="RegexRunOutcome.OverBudget"/>.</returns>
    public RegexRun<T> Run<T>(Func<TimeSpan, T> attempt)
    {
        for (var attempts = 1; ; attempts++)
        {
            if (!TryGetTimeout(out var timeout))
            {
                return new RegexRun<T>(RegexRunOutcome.OverBudget, default, TimeSpan.Zero);
            }

            var before = _cpu();
            try
            {
                return new RegexRun<T>(RegexRunOutcome.Done, attempt(timeout), timeout);
            }
            catch (RegexMatchTimeoutException) when (attempts < MaxAttempts && _cpu() - before < timeout / 2)
            {
                // Stalled, not slow: try again.
            }
            catch (RegexMatchTimeoutException)
            {
                return new RegexRun<T>(RegexRunOutcome.TimedOut, default, timeout);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> with <paramref name="timeout"/> outside any mail's budget, trying again like
    /// <see cref="Run{T}"/> when a timeout came from a stall.
    /// </summary>
    /// <exception cref="RegexMatchTimeoutException">The last try timed out.</exception>
    public static T RunAlone<T>(TimeSpan timeout, Func<TimeSpan, T> attempt, Func<TimeSpan>? cpu = null)
    {
        var run = new RegexBudget(timeout, TimeSpan.FromTicks(timeout.Ticks * MaxAttempts), cpu).Run(attempt);
        return run.Outcome == RegexRunOutcome.Done ? run.Value! : throw new RegexMatchTimeoutException("", "", timeout);
    }
}

/// <summary>How a <see cref="RegexBudget.Run{T}"/> ended.</summary>
internal enum RegexRunOutcome
{
    /// <summary>The pattern finished; the value is its result.</summary>
    Done,

    /// <summary>The pattern did not finish within its timeout while working on the mail.</summary>
    TimedOut,

    /// <summary>The mail's budget was used up before the pattern could run.</summary>
    OverBudget,
}

/// <summary>The result of <see cref="RegexBudget.Run{T}"/>: outcome, value (when done) and the timeout of the last try.</summary>
internal readonly record struct RegexRun<T>(RegexRunOutcome Outcome, T? Value, TimeSpan Timeout);
