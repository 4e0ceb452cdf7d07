using AlarmInbox.Grains.Mailboxes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlarmInbox.Tests.Scale;

/// <summary>Start-up spreading of first polls (issue 9): pure logic on a fake clock.</summary>
public sealed class FirstPollPacerTests
{
    [Fact]
    public void AHandfulOfMailboxesStartAtOnce()
    {
        var pacer = Pacer(perSecond: 200);

        var delays = Enumerable.Range(0, 5).Select(_ => pacer.NextDelay(TimeSpan.FromSeconds(60))).ToList();

        Assert.Equal([0, 5, 10, 15, 20], delays.Select(d => (int)Math.Round(d.TotalMilliseconds)));
    }

    [Fact]
    public void TenThousandMailboxesAreSpreadAtTheConfiguredRateWithinTheInterval()
    {
        var pacer = Pacer(perSecond: 200);

        var delays = Enumerable.Range(0, 10_000).Select(_ => pacer.NextDelay(TimeSpan.FromSeconds(60))).ToList();

        // 200 per second: the last of 10,000 starts after 49.995 s, and no second has more than 200 first polls.
        Assert.Equal(49_995, (int)Math.Round(delays[^1].TotalMilliseconds));
        Assert.True(delays.GroupBy(d => (int)d.TotalSeconds).Max(g => g.Count()) <= 200);
    }

    [Fact]
    public void NoFirstPollIsLaterThanTheMailboxInterval()
    {
        var pacer = Pacer(perSecond: 10);

        var delays = Enumerable.Range(0, 1_000).Select(_ => pacer.NextDelay(TimeSpan.FromSeconds(30))).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(30), delays[^1]);
    }

    [Fact]
    public void SlotsFreeUpAsTimePasses()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var pacer = Pacer(perSecond: 100, clock);
        for (var i = 0; i < 100; i++)
        {
            pacer.NextDelay(TimeSpan.FromSeconds(60));
        }

        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.Zero, pacer.NextDelay(TimeSpan.FromSeconds(60)));
    }

    private static FirstPollPacer Pacer(double perSecond, TimeProvider? clock = null) =>
        new(Options.Create(new PollingOptions { FirstPollsPerSecond = perSecond, StartupSpread = TimeSpan.Zero }),
            clock ?? new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
}
