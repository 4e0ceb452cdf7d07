using System.Diagnostics;
using System.Text.RegularExpressions;
using AlarmInbox.Grains.Alarms;
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

        var run = budget.Run<string>(timeout =>
        {
            tries++;
            cpu.Use(timeout / 2);
            throw new RegexMatchTimeoutException("text", "pattern", timeout);
        });

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

        var run = budget.Run<string>(timeout =>
        {
            tries++;
            cpu.Use(TimeSpan.FromMilliseconds(1));
            throw new RegexMatchTimeoutException("text", "pattern", timeout);
        });

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

        var first = budget.Run<string>(timeout =>
        {
            cpu.Use(timeout);
            throw new RegexMatchTimeoutException("text", "pattern", timeout);
        });
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
        Assert.Throws<RegexMatchTimeoutException>(() => RegexBudget.RunAlone<string>(PerRegex, timeout =>
        {
            cpu.Use(timeout);
            throw new RegexMatchTimeoutException("t", "p", timeout);
        }, cpu.Now));
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

    /// <summary>A CPU clock that moves only when told.</summary>
    private sealed class FakeCpu
    {
        private TimeSpan _now = TimeSpan.FromSeconds(10);

        public TimeSpan Now() => _now;

        public void Use(TimeSpan cpu) => _now += cpu;
    }
}
