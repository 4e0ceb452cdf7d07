using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Reliability;

/// <summary>Network failures, played by a TCP proxy in front of the real Dovecot, and Exchange's replies, played by a scripted server.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ReliabilityTests(ReliabilityFixture fixture, ITestOutputHelper output)
{
    private IGrainFactory Grains => fixture.Silo.Grains;

    [Fact]
    public async Task ServerDownBacksOffThenRecoversAndDeliversEveryMailOnce()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: true);
        await Eventually.WaitForAsync(() => mailbox.GetAsync(), d => d!.Status.IdleActive, TimeSpan.FromSeconds(30), "the IDLE session");

        proxy.RefuseNew();
        proxy.CutAll();
        var uids = await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("während Ausfall 1"), DovecotServer.Mail("während Ausfall 2"), DovecotServer.Mail("während Ausfall 3")]);
        var failing = await Eventually.WaitForAsync(
            () => mailbox.GetAsync(), d => d!.Status.ConsecutiveFailures >= 3, TimeSpan.FromSeconds(60), "three failed attempts while the server is down");
        var attemptsWhileDown = proxy.Accepted;
        proxy.Resume();
        var messages = await Eventually.WaitForAsync(
            () => mailbox.GetMessagesAsync(50), m => m!.Count >= 3, TimeSpan.FromSeconds(60), "recovery after the server is back");
        var recovered = await Eventually.WaitForAsync(() => mailbox.GetAsync(), d => d!.Status.IdleActive, TimeSpan.FromSeconds(30), "a new IDLE session");

        output.WriteLine($"{failing!.Status.ConsecutiveFailures} failures, {attemptsWhileDown} connection attempts in total before recovery");
        Assert.Equal(MailboxState.Failing, failing.Status.State);
        Assert.NotNull(failing.Status.NextAttemptAt);
        Assert.Equal(uids.OrderDescending(), messages!.Select(m => m.Uid));
        Assert.Equal(MailboxState.Idle, recovered!.Status.State);
        Assert.Equal(0, recovered.Status.ConsecutiveFailures);
        Assert.True(recovered.Status.Healthy);
        Assert.Equal(1, proxy.MaxConcurrent);
    }

    [Fact]
    public async Task MailArrivingWhileTheServerWasUnreachableAtCreationIsStillNew()
    {
        var user = await fixture.Imap.CreateUserAsync();
        var old = await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("schon da")], internalDate: DateTimeOffset.UtcNow.AddMinutes(-5));
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        proxy.RefuseNew();
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: false);
        var created = await mailbox.GetAsync();

        var fresh = await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("während der Server fehlte")]);
        proxy.Resume();
        var poll = await mailbox.PollNowAsync();
        var messages = await mailbox.GetMessagesAsync(10);

        Assert.Equal(MailboxState.Failing, created!.Status.State);
        Assert.False(created.Status.Watermark.IsSet);
        Assert.True(poll!.Succeeded);
        Assert.Equal(fresh, messages!.Select(m => m.Uid));
        Assert.DoesNotContain(old[0], messages!.Select(m => m.Uid));
    }

    [Fact]
    public async Task BlackholedIdleConnectionIsDetectedAndTheMailboxCatchesUp()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: true);
        await Eventually.WaitForAsync(() => mailbox.GetAsync(), d => d!.Status.IdleActive, TimeSpan.FromSeconds(30), "the IDLE session");
        var acceptedBefore = proxy.Accepted;

        // Existing connections go silent without closing; new ones work.
        proxy.BlackholeAll(includingNew: false);
        var started = DateTimeOffset.UtcNow;
        var uid = (await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("im Funkloch")]))[0];
        var messages = await Eventually.WaitForAsync(
            () => mailbox.GetMessagesAsync(10), m => m!.Count == 1, TimeSpan.FromSeconds(60), "detection of the dead connection and catch-up");
        var detectedAfter = DateTimeOffset.UtcNow - started;

        output.WriteLine($"Dead connection detected and mail fetched after {detectedAfter.TotalSeconds:0.0} s (heartbeat 2 s + command timeout 2 s)");
        Assert.Equal(uid, messages![0].Uid);
        Assert.True(proxy.Accepted > acceptedBefore);
    }

    [Fact]
    public async Task PollNowDuringIdleUsesTheIdleSession()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await using var proxy = new TcpProxy(fixture.Imap.ImapPort);
        var mailbox = await fixture.CreateMailboxAsync(user, proxy.Port, useIdle: true);
        await Eventually.WaitForAsync(() => mailbox.GetAsync(), d => d!.Status.IdleActive, TimeSpan.FromSeconds(30), "the IDLE session");
        var acceptedBefore = proxy.Accepted;

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => mailbox.PollNowAsync()));

        Assert.All(results, r => Assert.True(r!.Succeeded));
        Assert.Equal(acceptedBefore, proxy.Accepted);
        Assert.Equal(1, proxy.MaxConcurrent);
    }

    [Fact]
    public async Task ThrottlingReplyMakesTheMailboxWaitTheSuggestedTime()
    {
        var suggested = TimeSpan.FromMilliseconds(4000);
        await using var exchange = new FakeImapServer((command, _) => FakeImapServer.Basics(command) ?? command switch
        {
            "EXAMINE" or "SELECT" => [$"{{tag}} BAD Request is throttled. Suggested Backoff Time: {suggested.TotalMilliseconds:0} milliseconds"],
            _ => ["{tag} BAD Command Error. 12"],
        });
        var mailbox = await fixture.CreateMailboxAsync("alarm@contoso.example", exchange.Port, useIdle: true);

        var throttled = await Eventually.WaitForAsync(
            () => Task.FromResult(exchange.Connections), c => c.Count >= 3, TimeSpan.FromSeconds(30), "three attempts");
        var details = await mailbox.GetAsync();

        var gaps = throttled.Zip(throttled.Skip(1), (a, b) => b - a).ToList();
        output.WriteLine("Gaps between attempts: " + string.Join(", ", gaps.Select(g => $"{g.TotalMilliseconds:0} ms")));
        Assert.Equal(MailboxErrorCodes.Throttled, details!.Status.LastError!.Code);
        Assert.Contains("Suggested Backoff Time: 4000 milliseconds", details.Status.LastError.Message);
        Assert.All(gaps, g => Assert.True(g >= suggested - TimeSpan.FromMilliseconds(50), $"retried after {g.TotalMilliseconds:0} ms"));
    }
}
