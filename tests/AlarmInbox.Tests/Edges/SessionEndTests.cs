using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Tests.Edges;

/// <summary>
/// Issue 14, sessions that end: the real Dovecot ends a session with <c>* BYE IMAP session state is inconsistent, please
/// relogin.</c> when the folder's UIDVALIDITY changes under it; a TCP proxy cuts connections. The fixture's backoff after
/// a transient failure is 30 s, so anything that happens within 15 s was not backed off.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class SessionEndTests(EdgesFixture fixture)
{
    [Fact]
    public async Task ByeFromTheServerIsDisconnectedWithTheServersOwnWords()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("vorher")]);
        var options = Options.Create(new ImapOptions());
        var connector = new MailKitImapConnector(options, NullLogger<MailKitImapConnector>.Instance, new ImapLoginLimiter(options));
        await using var session = await connector.OpenAsync(new ImapConnectRequest(fixture.Imap.Host, fixture.Imap.ImapPort, MailboxSecurity.None, user, "geheim", "INBOX"), CancellationToken.None);

        await fixture.Imap.SetUidValidityAsync(user, session.UidValidity + 7);
        var error = await Assert.ThrowsAsync<MailboxAccessException>(() => session.NoOpAsync(CancellationToken.None));

        Assert.Equal(MailboxErrorCodes.Disconnected, error.Code);
        Assert.Equal("BYE IMAP session state is inconsistent, please relogin.", error.ServerReply);
        Assert.Contains("ended the session", error.Message);
    }

    [Fact]
    public async Task PollDuringIdleNeverFailsWhenTheServerEndsTheSessionAndTheMailboxReconnectsAtOnce()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("vorher")]);
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var (mailbox, created) = await fixture.CreateAsync(fixture.PasswordSettings(user, useIdle: true, port: proxy.Port));
        await Eventually.WaitForAsync(() => mailbox.GetAsync(), d => d!.Status.IdleActive, TimeSpan.FromSeconds(30), "the IDLE session");
        var acceptedBefore = proxy.Accepted;

        // The next command of the IDLE session (the heartbeat's, or the poll's NOOP) gets BYE.
        var newValidity = created.Status.Watermark.UidValidity + 11;
        await fixture.Imap.SetUidValidityAsync(user, newValidity);
        var polls = new List<PollResult>();
        var statuses = new List<MailboxStatus>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(6);
        while (DateTime.UtcNow < deadline)
        {
            // Before the fix, these threw ObjectDisposedException (HTTP 500 on POST …/poll) until the backoff ended.
            polls.Add((await mailbox.PollNowAsync())!);
            statuses.Add((await mailbox.GetAsync())!.Status);
        }

        var reconnected = await Eventually.WaitForAsync(
            () => mailbox.GetAsync(), d => d!.Status.IdleActive && proxy.Accepted > acceptedBefore, TimeSpan.FromSeconds(20), "a new IDLE session, before the backoff (at least 24 s) could end");
        var uid = (await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("nach dem BYE")]))[0];
        var messages = await Eventually.WaitForAsync(() => mailbox.GetMessagesAsync(10), m => m!.Any(x => x.Uid == uid), TimeSpan.FromSeconds(30), "the mail through the new session");

        Assert.All(statuses, s => Assert.Null(s.LastError));
        Assert.All(statuses, s => Assert.Equal(0, s.ConsecutiveFailures));
        Assert.All(polls, p => Assert.True(p.Succeeded, p.Error?.Code + " " + p.Error?.Message));
        Assert.Equal(MailboxState.Idle, reconnected!.Status.State);
        Assert.Equal(newValidity, reconnected.Status.Watermark.UidValidity);
        Assert.Equal(uid, messages![0].Uid);
        Assert.Equal(newValidity, messages[0].UidValidity);
    }

    [Fact]
    public async Task ADroppedIdleConnectionIsReconnectedAtOnceAndOnlyAFailedReconnectBacksOff()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var (mailbox, _) = await fixture.CreateAsync(fixture.PasswordSettings(user, useIdle: true, port: proxy.Port));
        await Eventually.WaitForAsync(() => mailbox.GetAsync(), d => d!.Status.IdleActive, TimeSpan.FromSeconds(30), "the IDLE session");

        // A cut with the server still there: reconnected at once, nothing recorded.
        var acceptedBefore = proxy.Accepted;
        proxy.CutAll();
        var reconnected = await Eventually.WaitForAsync(
            () => mailbox.GetAsync(), d => d!.Status.IdleActive && proxy.Accepted > acceptedBefore, TimeSpan.FromSeconds(20), "the reconnect after the cut, before the backoff (at least 24 s) could end");
        var seen = DateTimeOffset.UtcNow;
        await Eventually.WaitForAsync(() => mailbox.GetAsync(), d => d!.Status.LastContactAt > seen, TimeSpan.FromSeconds(30), "an IDLE round on the new session");

        // A cut with the server gone: the reconnect fails, and that is what the status says, with the backoff.
        proxy.RefuseNew();
        proxy.CutAll();
        var failing = await Eventually.WaitForAsync(() => mailbox.GetAsync(), d => d!.Status.LastError is not null, TimeSpan.FromSeconds(30), "the failed reconnect");
        var failingSeen = DateTimeOffset.UtcNow;
        var poll = await mailbox.PollNowAsync();
        var stillFailing = await mailbox.GetAsync();

        Assert.Null(reconnected!.Status.LastError);
        Assert.Equal(0, reconnected.Status.ConsecutiveFailures);
        Assert.Equal(MailboxState.Failing, failing!.Status.State);
        Assert.NotEqual(MailboxErrorCodes.Disconnected, failing.Status.LastError!.Code);
        Assert.False(failing.Status.IdleActive);
        // Backed off (at least 24 s from the failure), measured from when the failure was seen, not from after the poll
        // below, which a loaded machine can make slow.
        Assert.True(failing.Status.NextAttemptAt > failingSeen + TimeSpan.FromSeconds(10), $"next attempt {failing.Status.NextAttemptAt:O}, failure seen {failingSeen:O}");
        Assert.False(poll!.Succeeded);
        Assert.False(stillFailing!.Status.IdleActive);

        proxy.Resume();
        var recovered = await mailbox.PollNowAsync();
        Assert.True(recovered!.Succeeded, recovered.Error?.Message);
    }
}
