using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Grains.Resilience;
using AlarmInbox.Grains.Webhooks;

namespace AlarmInbox.Tests.Resilience;

/// <summary>The one backoff helper and the three schedules built on it (mailbox, webhook, token).</summary>
public sealed class ExponentialBackoffTests
{
    private static readonly ExponentialBackoff TenSecondsToAMinute = new() { Initial = TimeSpan.FromSeconds(10), Cap = TimeSpan.FromMinutes(1), JitterMin = 1, JitterMax = 1 };

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(4, 60)]
    [InlineData(1_000, 60)]
    public void TheDelayDoublesPerFailureUpToTheCap(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), TenSecondsToAMinute.Delay(failures, 0.5));

    [Fact]
    public void JitterScalesTheCappedDelayBetweenItsBounds()
    {
        var backoff = TenSecondsToAMinute with { JitterMin = 0.5, JitterMax = 1.0 };

        Assert.Equal(TimeSpan.FromSeconds(30), backoff.Delay(10, 0));
        Assert.Equal(TimeSpan.FromSeconds(45), backoff.Delay(10, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(60), backoff.Delay(10, 1));
    }

    [Fact]
    public void WebhookRetriesWaitHalfToAllOfTheDoubledDelay()
    {
        var delay = WebhookBackoff.Delay(3, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10), new Random(7));

        Assert.InRange(delay, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public void MailboxRetriesKeepTheirRulesForPermanentErrorsConnectionLimitsAndServerHints()
    {
        var options = new PollingOptions
        {
            BackoffBase = TimeSpan.FromSeconds(5),
            BackoffCap = TimeSpan.FromMinutes(5),
            ConnectionLimitBackoffCap = TimeSpan.FromSeconds(30),
            PermanentErrorRetry = TimeSpan.FromMinutes(7),
        };

        Assert.Equal(TimeSpan.FromSeconds(20), Backoff.NextDelay(options, 3, MailboxErrorCodes.ConnectionLost, null, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(16), Backoff.NextDelay(options, 3, MailboxErrorCodes.ConnectionLost, null, 0));
        Assert.Equal(TimeSpan.FromMinutes(7), Backoff.NextDelay(options, 1, MailboxErrorCodes.AuthFailed, null, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(15), Backoff.NextDelay(options, 9, MailboxErrorCodes.ConnectionLimit, null, 0));
        Assert.Equal(TimeSpan.FromSeconds(90), Backoff.NextDelay(options, 1, MailboxErrorCodes.Throttled, TimeSpan.FromSeconds(90), 0.5));
    }
}
