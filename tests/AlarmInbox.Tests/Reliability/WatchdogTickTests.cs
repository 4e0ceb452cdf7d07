using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Reliability;

/// <summary>
/// The watchdog reminder's tick while the silo's session service polls a mailbox's kept session: the service's empty
/// rounds make no grain call, so the tick is where the grain goes back to IDLE after its IDLE fallback period.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class WatchdogTickTests(ReliabilityFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task AMailboxWhoseIdleFallbackEndsWhileTheServicePollsItGoesBackToIdleAtTheWatchdogTick()
    {
        var settings = ReliabilityFixture.Settings;
        settings["AlarmInbox:Polling:MaxIdleFailures"] = "1";
        settings["AlarmInbox:Polling:IdleFallbackPeriod"] = "00:00:10";
        settings["AlarmInbox:Polling:WatchdogPeriod"] = "00:00:02";
        settings["AlarmInbox:Reminders:MinimumReminderPeriod"] = "00:00:01";
        await using var silo = await TestSilo.StartAsync(settings: settings);
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await ReliabilityFixture.CreateMailboxAsync(silo, user, proxy.Port, useIdle: true);
        var id = (await mailbox.GetAsync())!.Config.Id;
        var service = silo.Services.GetRequiredService<ImapIdleSessions>();
        await Eventually.WaitForAsync(() => Task.FromResult(service.IsIdling(id)), idling => idling, TimeSpan.FromSeconds(30), "the mailbox in IDLE");

        // One failed attempt (MaxIdleFailures = 1) gives IDLE up for 10 s: the next successful poll keeps its session polled.
        proxy.RefuseNew();
        proxy.CutAll();
        await Eventually.WaitForAsync(() => mailbox.GetAsync(), d => d!.Status.LastError is not null, TimeSpan.FromSeconds(30), "a failed attempt");
        proxy.Resume();
        await Eventually.WaitForAsync(() => Task.FromResult(service.IsPolling(id)), polling => polling, TimeSpan.FromSeconds(30), "the session polled by the service during the fallback");
        var polledSince = DateTimeOffset.UtcNow;

        await Eventually.WaitForAsync(() => Task.FromResult(service.IsIdling(id)), idling => idling, TimeSpan.FromSeconds(30), "back in IDLE after the fallback period");
        var status = (await mailbox.GetAsync())!.Status;

        output.WriteLine($"polled from {polledSince:HH:mm:ss.fff}, in IDLE again by {DateTimeOffset.UtcNow:HH:mm:ss.fff}; {proxy.Accepted} connections");
        Assert.True(status.IdleActive);
        Assert.Null(status.LastError);
        Assert.True(status.Healthy);

        // A mail now comes through IDLE.
        var uid = (await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("wieder über IDLE")]))[0];
        await Eventually.WaitForAsync(() => mailbox.GetMessagesAsync(10), m => m!.Any(x => x.Uid == uid), TimeSpan.FromSeconds(30), "the mail stored");
    }
}
