using System.Collections.Concurrent;
using System.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Reliability;

/// <summary>
/// A kept session that goes silent (a black-holed connection) while the silo's session service polls it: closing it
/// never throws, commands on the mailbox still work, and a session that reaches its lifetime on a dead connection is
/// replaced without the status going back or turning unhealthy (found by a tester trying to break the service).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SilentPolledSessionTests(ReliabilityFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task LoggingOutOnASilentConnectionNeverThrowsEvenWithACommandTimeoutBelowTheLogoutBudget()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var options = Options.Create(new ImapOptions { CommandTimeout = TimeSpan.FromSeconds(2) });
        var connector = new MailKitImapConnector(options, NullLogger<MailKitImapConnector>.Instance, new ImapLoginLimiter(options));
        var session = await connector.OpenAsync(new ImapConnectRequest(fixture.Imap.Host, proxy.Port, MailboxSecurity.None, user, "geheim", "INBOX"), CancellationToken.None);
        proxy.BlackholeAll(includingNew: false);
        var watch = Stopwatch.StartNew();

        await session.DisposeAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"{watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("pause")]
    [InlineData("update")]
    public async Task ACommandOnAMailboxWhosePolledSessionWentSilentSucceeds(string command)
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: false, pollIntervalSeconds: 10);
        var config = (await mailbox.GetAsync())!.Config;
        var service = fixture.Silo.Services.GetRequiredService<ImapIdleSessions>();
        await Eventually.WaitForAsync(() => Task.FromResult(service.LastRoundAt(config.Id)), at => at is not null, TimeSpan.FromSeconds(30), "a round of the session service");
        proxy.BlackholeAll(includingNew: false);

        switch (command)
        {
            case "delete":
                Assert.True(await mailbox.DeleteAsync());
                Assert.Null(await mailbox.GetAsync());
                Assert.False(service.IsWatching(config.Id));
                break;
            case "pause":
                Assert.True((await mailbox.PauseAsync(config.TenantId)).Succeeded);
                Assert.False(service.IsWatching(config.Id));
                break;
            default:
                Assert.True((await mailbox.UpdateAsync(config.TenantId, ReliabilityFixture.MailboxSettingsFor(user, proxy.Port, useIdle: false, pollIntervalSeconds: 11))).Succeeded);
                Assert.Equal(11, (await mailbox.GetAsync())!.Config.PollIntervalSeconds);
                break;
        }
    }

    [Fact]
    public async Task ASessionReachingItsLifetimeOnADeadConnectionIsReplacedWithoutTheStatusGoingBackOrTurningUnhealthy()
    {
        var settings = ReliabilityFixture.Settings;
        settings["AlarmInbox:Polling:SessionLifetime"] = "00:00:35";
        await using var silo = await TestSilo.StartAsync(settings: settings);
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var created = DateTimeOffset.UtcNow;
        var mailbox = await ReliabilityFixture.CreateMailboxAsync(silo, user, proxy.Port, useIdle: false);
        var id = (await mailbox.GetAsync())!.Config.Id;
        var service = silo.Services.GetRequiredService<ImapIdleSessions>();
        await Eventually.WaitForAsync(
            () => Task.FromResult(service.LastRoundAt(id)), at => at > created + TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(60), "the round before the lifetime");

        using var stop = new CancellationTokenSource();
        var seen = new ConcurrentQueue<MailboxStatus>();
        var watching = WatchStatusAsync(mailbox, seen, stop.Token);
        proxy.BlackholeAll(includingNew: false);
        var uid = (await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("nach der Lebensdauer")]))[0];
        await Eventually.WaitForAsync(() => mailbox.GetMessagesAsync(10), m => m!.Any(x => x.Uid == uid), TimeSpan.FromSeconds(40), "the mail stored on a new session");
        await Eventually.WaitForAsync(() => Task.FromResult(service.IsPolling(id)), polling => polling, TimeSpan.FromSeconds(30), "the new session polled by the service");
        await stop.CancelAsync();
        await watching;

        var statuses = seen.ToList();
        output.WriteLine($"{statuses.Count} status reads; {proxy.Accepted} connections, at most {proxy.MaxConcurrent} at once");
        Assert.True(statuses.Count > 10);
        Assert.All(statuses, s => Assert.True(s.Healthy, $"unhealthy: contact {s.LastContactAt:HH:mm:ss.fff}"));
        for (var i = 1; i < statuses.Count; i++)
        {
            Assert.False(statuses[i].LastPollAt < statuses[i - 1].LastPollAt, $"last poll back: {statuses[i - 1].LastPollAt:HH:mm:ss.fff} → {statuses[i].LastPollAt:HH:mm:ss.fff}");
            Assert.False(statuses[i].LastSuccessAt < statuses[i - 1].LastSuccessAt, $"last success back: {statuses[i - 1].LastSuccessAt:HH:mm:ss.fff} → {statuses[i].LastSuccessAt:HH:mm:ss.fff}");
            Assert.False(statuses[i].LastContactAt < statuses[i - 1].LastContactAt, $"last contact back: {statuses[i - 1].LastContactAt:HH:mm:ss.fff} → {statuses[i].LastContactAt:HH:mm:ss.fff}");
        }
    }

    /// <summary>Reads the status about every 50 ms until <paramref name="cancellationToken"/> is cancelled (a monitor, not a wait for a condition).</summary>
    private static async Task WatchStatusAsync(IMailboxGrain mailbox, ConcurrentQueue<MailboxStatus> seen, CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            do
            {
                if ((await mailbox.GetAsync())?.Status is { } status)
                {
                    seen.Enqueue(status);
                }
            }
            while (await tick.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Done watching.
        }
    }
}
