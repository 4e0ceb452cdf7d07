using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlarmInbox.Tests.Reliability;

/// <summary><c>AlarmInbox:Polling:WatchKeptSessions = false</c>: the grain keeps its session and polls on its timer, the session service holds nothing.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class KeptSessionSettingTests(ReliabilityFixture fixture)
{
    [Fact]
    public async Task WithWatchKeptSessionsOffTheGrainsTimerPollsTheKeptSessionAndTheServiceHoldsNothing()
    {
        var settings = ReliabilityFixture.Settings;
        settings["AlarmInbox:Polling:WatchKeptSessions"] = "false";
        await using var silo = await TestSilo.StartAsync(settings: settings);
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await ReliabilityFixture.CreateMailboxAsync(silo, user, proxy.Port, useIdle: false);
        var id = (await mailbox.GetAsync())!.Config.Id;
        var service = silo.Services.GetRequiredService<ImapIdleSessions>();

        var uid = (await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("vom Timer gesehen")]))[0];
        await Eventually.WaitForAsync(
            () => mailbox.GetMessagesAsync(10), m => m!.Any(x => x.Uid == uid), TimeSpan.FromSeconds(40), "the new mail stored by the grain's timer");

        Assert.False(service.IsWatching(id));
        Assert.Equal(0, service.Count);
        Assert.Equal(1, proxy.Accepted);
        Assert.Equal(1, proxy.Open);
    }
}
