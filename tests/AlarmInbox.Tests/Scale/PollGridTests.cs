using System.Globalization;
using AlarmInbox.Grains.Mailboxes;

namespace AlarmInbox.Tests.Scale;

/// <summary>Timer coalescing of polls (issue 15): pure logic, no clock.</summary>
public sealed class PollGridTests
{
    private static readonly TimeSpan Slot = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    [Fact]
    public void PollsStartedAnywhereWithinOneSlotAreDueAtTheSameGridPoint()
    {
        var now = At("08:00:00.000");
        var waits = new[] { "08:00:00.000", "08:00:00.120", "08:00:00.499" }
            .Select(s => At(s) + PollGrid.Wait(PollGrid.Nearest(At(s), Slot), Interval, At(s), Slot))
            .Distinct()
            .ToList();

        Assert.Equal([now + Interval], waits);
    }

    [Fact]
    public void ATickThatFiredLateKeepsTheIntervalFromItsGridPoint()
    {
        // Due at 08:00:00, started 30 ms late, finished 80 ms later: the next one is due at 08:01:00, not 08:01:00.110.
        var started = At("08:00:00.030");
        var finished = At("08:00:00.110");

        var wait = PollGrid.Wait(PollGrid.Nearest(started, Slot), Interval, finished, Slot);

        Assert.Equal(At("08:01:00.000"), finished + wait);
    }

    [Fact]
    public void APollStartedBetweenGridPointsWaitsAtMostOneSlotMoreThanItsInterval()
    {
        for (var ms = 0; ms < 1000; ms += 37)
        {
            var started = At("08:00:00").AddMilliseconds(ms);

            var due = started + PollGrid.Wait(PollGrid.Nearest(started, Slot), Interval, started, Slot);

            Assert.Equal(0, due.UtcTicks % Slot.Ticks);
            Assert.InRange(due - started, Interval - Slot / 2, Interval + Slot / 2);
        }
    }

    [Fact]
    public void MoreMailsWaitingIsPolledAtOnce() =>
        Assert.Equal(TimeSpan.Zero, PollGrid.Wait(At("08:00:00.400"), TimeSpan.Zero, At("08:00:00.400"), Slot));

    [Fact]
    public void APollThatTookLongerThanItsIntervalIsDueAtOnce() =>
        Assert.Equal(TimeSpan.Zero, PollGrid.Wait(At("08:00:00"), TimeSpan.FromSeconds(10), At("08:00:12.5"), Slot));

    [Fact]
    public void WithoutAGridTheDelayIsKeptToTheTick()
    {
        var started = At("08:00:00.123");

        Assert.Equal(Interval, PollGrid.Wait(PollGrid.Nearest(started, TimeSpan.Zero), Interval, started, TimeSpan.Zero));
        Assert.Equal(started, PollGrid.AlignUp(started, TimeSpan.Zero));
    }

    [Fact]
    public void AlignUpMovesToTheNextGridPointOrStays()
    {
        Assert.Equal(At("08:00:01"), PollGrid.AlignUp(At("08:00:00.001"), Slot));
        Assert.Equal(At("08:00:01"), PollGrid.AlignUp(At("08:00:01"), Slot));
        Assert.Equal(At("08:00:05"), PollGrid.AlignUp(At("08:00:02.5"), TimeSpan.FromSeconds(5)));
    }

    private static DateTimeOffset At(string time) =>
        DateTimeOffset.Parse($"2026-12-07T{time}Z", CultureInfo.InvariantCulture);
}
