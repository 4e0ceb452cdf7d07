using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Reliability;

/// <summary>
/// Kept sessions of polled mailboxes (issue 9): one authenticated session held open between polls, counted by a TCP
/// proxy in front of the real Dovecot.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class KeptSessionTests(ReliabilityFixture fixture, ITestOutputHelper output)
{
    private IGrainFactory Grains => fixture.Silo.Grains;

    [Fact]
    public async Task PolledMailboxKeepsOneSessionAcrossPollsAndClosesItWhenPaused()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: false, pollIntervalSeconds: 10);
        var expected = new List<uint>();

        for (var i = 0; i < 20; i++)
        {
            if (i % 2 == 0)
            {
                expected.AddRange(await fixture.Imap.AppendAsync(user, [DovecotServer.Mail($"Einsatz {i}")]));
            }

            var poll = await mailbox.PollNowAsync();
            Assert.True(poll!.Succeeded, poll.Error?.Message);
        }

        var messages = await mailbox.GetMessagesAsync(100);
        output.WriteLine($"20 polls: {proxy.Accepted} connection(s) accepted, {proxy.Open} open");
        Assert.Equal(1, proxy.Accepted);
        Assert.Equal(1, proxy.Open);
        Assert.Equal(expected.OrderDescending(), messages!.Select(m => m.Uid));

        Assert.True((await mailbox.PauseAsync((await mailbox.GetAsync())!.Config.TenantId)).Succeeded);
        await Eventually.WaitForAsync(() => Task.FromResult(proxy.Open), open => open == 0, TimeSpan.FromSeconds(30), "the kept session logged out after pause");
        Assert.Equal(1, proxy.MaxConcurrent);
    }

    [Fact]
    public async Task TheSilosSessionServicePollsTheKeptSessionAndDeliversANewMailWithoutAPollCallOnTheSameConnection()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: false, pollIntervalSeconds: 10);
        var id = (await mailbox.GetAsync())!.Config.Id;
        var service = fixture.Silo.Services.GetRequiredService<ImapIdleSessions>();
        await Eventually.WaitForAsync(() => Task.FromResult(service.LastRoundAt(id)), at => at is not null, TimeSpan.FromSeconds(30), "an empty poll round of the session service");
        var before = (await mailbox.GetAsync())!.Status;

        var uid = (await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("vom Dienst gesehen")]))[0];
        var messages = await Eventually.WaitForAsync(
            () => mailbox.GetMessagesAsync(10), m => m!.Any(x => x.Uid == uid), TimeSpan.FromSeconds(40), "the new mail stored without POST …/poll");
        await Eventually.WaitForAsync(() => Task.FromResult(service.IsPolling(id)), polling => polling, TimeSpan.FromSeconds(30), "the session back with the service");
        var after = (await mailbox.GetAsync())!.Status;

        output.WriteLine($"last poll {before.LastPollAt:HH:mm:ss.fff} → {after.LastPollAt:HH:mm:ss.fff}, {proxy.Accepted} connection(s)");
        Assert.Single(messages!);
        Assert.Equal(1, proxy.Accepted);
        Assert.Equal(1, proxy.MaxConcurrent);
        Assert.Null(after.LastError);
        Assert.False(after.IdleActive);
        Assert.True(after.Healthy);
        Assert.True(after.LastPollAt > before.LastPollAt);
        Assert.Equal(uid, after.Watermark.LastUid);
    }

    [Fact]
    public async Task APolledMailboxStaysHealthyPastItsContactWindowOnTheServicesRoundsAlone()
    {
        // Contact window here: three intervals of 10 s. The service's empty rounds make no grain call; the status and
        // the out-of-contact deadline must still follow them.
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: false, pollIntervalSeconds: 10);
        var id = (await mailbox.GetAsync())!.Config.Id;
        var service = fixture.Silo.Services.GetRequiredService<ImapIdleSessions>();
        await Eventually.WaitForAsync(() => Task.FromResult(service.IsPolling(id)), polling => polling, TimeSpan.FromSeconds(30), "the session service polls the kept session");
        var parked = (await mailbox.GetAsync())!.Status;

        var lastRound = await Eventually.WaitForAsync(
            () => Task.FromResult(service.LastRoundAt(id)), at => at > parked.LastContactAt + TimeSpan.FromSeconds(35), TimeSpan.FromSeconds(90), "rounds past the contact window");
        var status = (await mailbox.GetAsync())!.Status;

        output.WriteLine($"parked with contact {parked.LastContactAt:HH:mm:ss.fff}; last round {lastRound:HH:mm:ss.fff}; status contact {status.LastContactAt:HH:mm:ss.fff}, success {status.LastSuccessAt:HH:mm:ss.fff}");
        Assert.True(status.Healthy);
        Assert.Equal(MailboxState.Idle, status.State);
        Assert.True(status.LastContactAt >= lastRound);
        Assert.True(status.LastSuccessAt >= lastRound);
        Assert.True(service.IsPolling(id));
        Assert.Equal(1, proxy.Accepted);
    }

    [Fact]
    public async Task AKeptSessionCutWhileTheServicePollsItIsReplacedAtOnceWithoutAFailure()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: false, pollIntervalSeconds: 10);
        var id = (await mailbox.GetAsync())!.Config.Id;
        var service = fixture.Silo.Services.GetRequiredService<ImapIdleSessions>();
        await Eventually.WaitForAsync(() => Task.FromResult(service.IsPolling(id)), polling => polling, TimeSpan.FromSeconds(30), "the session service polls the kept session");

        proxy.CutAll();
        var uid = (await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("nach dem Abbruch im Dienst")]))[0];
        await Eventually.WaitForAsync(
            () => mailbox.GetMessagesAsync(10), m => m!.Any(x => x.Uid == uid), TimeSpan.FromSeconds(40), "the mail stored on a new session without POST …/poll");
        var details = (await mailbox.GetAsync())!.Status;

        Assert.Equal(2, proxy.Accepted);
        Assert.Equal(1, proxy.MaxConcurrent);
        Assert.Equal(0, details.ConsecutiveFailures);
        Assert.Null(details.LastError);
    }

    [Fact]
    public async Task KeptSessionDroppedByTheServerIsReplacedWithinThePollWithoutAFailure()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: false, pollIntervalSeconds: 10);
        Assert.True((await mailbox.PollNowAsync())!.Succeeded);

        proxy.CutAll();
        var uid = (await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("nach dem Abbruch")]))[0];
        var poll = await mailbox.PollNowAsync();
        var details = await mailbox.GetAsync();
        var messages = await mailbox.GetMessagesAsync(10);

        Assert.True(poll!.Succeeded, poll.Error?.Message);
        Assert.Equal(1, poll.NewMessages);
        Assert.Equal(uid, messages![0].Uid);
        Assert.Equal(0, details!.Status.ConsecutiveFailures);
        Assert.Null(details.Status.LastError);
        Assert.Equal(2, proxy.Accepted);
        Assert.Equal(1, proxy.MaxConcurrent);
    }

    [Fact]
    public async Task PollsTenAtATimeWithCutsNeverOpenASecondConnectionAndReuseTheSession()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: false, pollIntervalSeconds: 10);
        var expected = new List<uint>();

        // 100 polls sent ten at a time; after every ten the connections are cut.
        for (var round = 0; round < 10; round++)
        {
            expected.AddRange(await fixture.Imap.AppendAsync(user, [DovecotServer.Mail($"Runde {round}")]));
            var polls = Enumerable.Range(0, 10).Select(_ => mailbox.PollNowAsync()).ToList();
            proxy.CutAll();
            await Task.WhenAll(polls);
        }

        await mailbox.PollNowAsync();
        var messages = await mailbox.GetMessagesAsync(500);

        output.WriteLine($"101 polls, 10 cuts: {proxy.Accepted} connections accepted, at most {proxy.MaxConcurrent} open at once");
        Assert.Equal(1, proxy.MaxConcurrent);
        Assert.InRange(proxy.Accepted, 2, 1 + (2 * 10));
        Assert.Equal(expected.OrderDescending(), messages!.Select(m => m.Uid));
    }

    [Fact]
    public async Task MailboxPolledLessOftenThanTheKeptSessionMaximumLogsOutAfterEveryPoll()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: false, pollIntervalSeconds: 3600);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await mailbox.PollNowAsync())!.Succeeded);
        }

        await Eventually.WaitForAsync(() => Task.FromResult(proxy.Open), open => open == 0, TimeSpan.FromSeconds(30), "every session logged out");
        Assert.Equal(4, proxy.Accepted);
    }

    [Fact]
    public async Task DeletingAMailboxLogsOutItsKeptSession()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: false, pollIntervalSeconds: 10);
        Assert.True((await mailbox.PollNowAsync())!.Succeeded);
        Assert.Equal(1, proxy.Open);

        Assert.True(await mailbox.DeleteAsync());

        await Eventually.WaitForAsync(() => Task.FromResult(proxy.Open), open => open == 0, TimeSpan.FromSeconds(30), "the kept session logged out after delete");
        Assert.Equal(1, proxy.Accepted);
    }
}
