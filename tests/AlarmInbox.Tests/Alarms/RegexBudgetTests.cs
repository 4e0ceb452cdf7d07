using System.Diagnostics;
using System.Text.RegularExpressions;
using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mime;
using AlarmInbox.Grains.Resilience;

namespace AlarmInbox.Tests.Alarms;

/// <summary>
/// A mail's regular-expression budget counts the thread's CPU time, and a timeout that came while the thread was stopped
/// (CPU starvation, a blocking GC) is tried again: on a loaded machine a legitimate mail kept losing its Einsatznummer when
/// the label pattern's wall-clock timeout ran out while the thread did nothing. Pure logic over a scripted CPU clock.
/// </summary>
public sealed class RegexBudgetTests
{
    private static readonly TimeSpan PerRegex = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan PerMail = TimeSpan.FromSeconds(1);

    [Fact]
    public void ATimeoutThatCameWhileTheThreadWasStoppedIsTriedAgainAndTheSecondTryCounts()
    {
        var cpu = new FakeCpu();
        var budget = new RegexBudget(PerRegex, PerMail, cpu.Now);
        var tries = new List<TimeSpan>();

        var run = budget.Run(timeout =>
        {
            tries.Add(timeout);
            cpu.Use(TimeSpan.FromMilliseconds(tries.Count == 1 ? 5 : 3));
            return tries.Count == 1 ? throw new RegexMatchTimeoutException("text", "pattern", timeout) : "2026-213045";
        });

        Assert.Equal(new RegexRun<string>(RegexRunOutcome.Done, "2026-213045", PerRegex), run);
        Assert.Equal([PerRegex, PerRegex], tries);
    }

    [Fact]
    public void ATimeoutAfterWhichTheThreadHadWorkedMostOfTheTimeoutIsNotTriedAgain()
    {
        var cpu = new FakeCpu();
        var budget = new RegexBudget(PerRegex, PerMail, cpu.Now);
        var tries = 0;

        var run = budget.Run(TimesOut(cpu, timeout => timeout / 2, () => tries++));

        Assert.Equal(RegexRunOutcome.TimedOut, run.Outcome);
        Assert.Equal(PerRegex, run.Timeout);
        Assert.Equal(1, tries);
    }

    [Fact]
    public void AThreadThatIsStoppedAtEveryTryGivesUpAfterMaxAttempts()
    {
        var cpu = new FakeCpu();
        var budget = new RegexBudget(PerRegex, PerMail, cpu.Now);
        var tries = 0;

        var run = budget.Run(TimesOut(cpu, _ => TimeSpan.FromMilliseconds(1), () => tries++));

        Assert.Equal(RegexRunOutcome.TimedOut, run.Outcome);
        Assert.Equal(RegexBudget.MaxAttempts, tries);
    }

    [Fact]
    public void TheBudgetCountsCpuTimeSoRetriesAndRulesShareIt()
    {
        // 900 ms of CPU used: 100 ms are left, so the next pattern gets 100 ms; after it used them nothing is left.
        var cpu = new FakeCpu();
        var budget = new RegexBudget(PerRegex, PerMail, cpu.Now);
        cpu.Use(TimeSpan.FromMilliseconds(900));

        var first = budget.Run(TimesOut(cpu, timeout => timeout));
        var second = budget.Run(_ => "never");

        Assert.Equal(new RegexRun<string>(RegexRunOutcome.TimedOut, null, TimeSpan.FromMilliseconds(100)), first);
        Assert.Equal(RegexRunOutcome.OverBudget, second.Outcome);
    }

    [Fact]
    public void RunAloneThrowsTheTimeoutOfAPatternThatWasSlowAndReturnsOneThatWasOnlyStalled()
    {
        var cpu = new FakeCpu();
        var stalledOnce = 0;

        var value = RegexBudget.RunAlone(PerRegex, timeout => ++stalledOnce == 1 ? throw new RegexMatchTimeoutException("t", "p", timeout) : "a@b.example", cpu.Now);

        Assert.Equal("a@b.example", value);
        Assert.Throws<RegexMatchTimeoutException>(() => RegexBudget.RunAlone(PerRegex, TimesOut(cpu, timeout => timeout), cpu.Now));
    }

    [Fact]
    public void TheThreadCpuClockMovesWhileTheThreadWorksAndNotWhileItSleeps()
    {
        // The suite runs on Linux (Dovecot, PostgreSQL), where the clock is the thread's CPU time.
        Assert.True(ThreadCpuClock.IsThreadCpuTime);

        // Working: spin until the thread's own CPU time has moved 30 ms (the condition, not a time, ends the loop).
        var start = ThreadCpuClock.Now();
        var wall = Stopwatch.StartNew();
        while (ThreadCpuClock.Now() - start < TimeSpan.FromMilliseconds(30))
        {
            Thread.SpinWait(1000);
        }

        Assert.True(wall.Elapsed >= TimeSpan.FromMilliseconds(29), $"30 ms of CPU in {wall.Elapsed} of wall-clock time");

        // Stopped: a thread that sleeps uses (almost) no CPU time, which is what tells a stall from a slow pattern.
        var beforeSleep = ThreadCpuClock.Now();
        Thread.Sleep(TimeSpan.FromMilliseconds(200));
        Assert.True(ThreadCpuClock.Now() - beforeSleep < TimeSpan.FromMilliseconds(50), $"slept 200 ms using {ThreadCpuClock.Now() - beforeSleep} of CPU");
    }

    [Fact]
    public void OnAMachineSoStarvedThatTheCpuBudgetWouldLastLongerThanFiveTimesItTheWallClockEndsIt()
    {
        // A CPU clock that never moves (a thread that never gets to run) and a budget of 20 ms: the wall clock ends it.
        var cpu = new FakeCpu();
        var budget = new RegexBudget(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20), cpu.Now);
        Assert.True(budget.TryGetTimeout(out _));

        Thread.Sleep(TimeSpan.FromMilliseconds(20 * RegexBudget.WallClockCeiling + 20));

        Assert.False(budget.TryGetTimeout(out _));
        Assert.Equal(RegexRunOutcome.OverBudget, budget.Run(_ => "never").Outcome);
    }

    [Fact]
    public void TheDecodingBudgetIsNotUsedUpWhileTheThreadIsStoppedButWhileItWorksOrFiveTimesItOnTheWallClock()
    {
        // Stopped (sleeping) for twice the limit: the wall clock passed it, the thread's CPU time did not.
        var stopped = new DecodeBudget(TimeSpan.FromMilliseconds(50));
        Thread.Sleep(TimeSpan.FromMilliseconds(100));
        Assert.False(stopped.IsExhausted);
        Assert.Empty(stopped.Limits);

        // Working: used up once the thread has worked the limit (the condition ends the loop; the bound is a safety net).
        var wall = Stopwatch.StartNew();
        while (!stopped.IsExhausted && wall.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.SpinWait(1000);
        }

        Assert.Equal([MailLimits.TimeBudget], stopped.Limits);

        // Stopped for more than five times the limit: used up by the wall clock.
        var starved = new DecodeBudget(TimeSpan.FromMilliseconds(20));
        Thread.Sleep(TimeSpan.FromMilliseconds(120));
        Assert.True(starved.IsExhausted);
    }

    /// <summary>An attempt that uses <paramref name="used"/> of the CPU clock and then times out.</summary>
    private static Func<TimeSpan, string> TimesOut(FakeCpu cpu, Func<TimeSpan, TimeSpan> used, Action? counted = null) => timeout =>
    {
        counted?.Invoke();
        cpu.Use(used(timeout));
        throw new RegexMatchTimeoutException("text", "pattern", timeout);
    };

    /// <summary>A CPU clock that moves only when told.</summary>
    private sealed class FakeCpu
    {
        private TimeSpan _now = TimeSpan.FromSeconds(10);

        public TimeSpan Now() => _now;

        public void Use(TimeSpan cpu) => _now += cpu;
    }
}
