using AlarmInbox.Grains.Auth;
using AlarmInbox.Grains.Graph;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Tests.Graph;

/// <summary>
/// The delta-sync algorithm as a plain class (no silo): the production HTTP client and real MSAL tokens from the local
/// token endpoint, against the scripted Graph server on loopback HTTPS.
/// </summary>
[Collection(GraphCollection.Name)]
public sealed class GraphDeltaSyncTests(GraphFixture fixture) : IDisposable
{
    private readonly GraphHttpClients _clients = new(Options.Create(new GraphOptions()));

    public void Dispose() => _clients.Dispose();

    [Fact]
    public async Task FirstRoundOnlySetsTheLinkOverSeveralPagesThenANewMailIsHandedOverOnce()
    {
        var (mailbox, target) = NewMailbox();
        var old = Enumerable.Range(1, 3).Select(i => mailbox.Deliver(Mime($"alt {i}"), receivedAt: DateTimeOffset.UtcNow.AddHours(-1))).ToList();
        var state = new GraphDeltaState { BaselineAt = DateTimeOffset.UtcNow };
        var handed = new List<GraphMail>();

        var first = await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);
        var fresh = mailbox.Deliver(Mime("B3 Wohnhausbrand"));
        var second = await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);
        var third = await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        Assert.Equal((0, 2, true), (first.HandedOver, first.Pages, first.Completed));
        Assert.Equal(1, second.HandedOver);
        Assert.Equal(0, third.HandedOver);
        Assert.Equal("B3 Wohnhausbrand", Subject(Assert.Single(handed)));
        Assert.Equal(fresh.Id, handed[0].Id);
        Assert.Equal(1, mailbox.Fetches(fresh));
        Assert.All(old, m => Assert.Equal(0, mailbox.Fetches(m)));
        Assert.Contains("$deltatoken=", state.DeltaLink, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredDeltaLinkRestartsTheRoundAndHandsOverOnlyTheMailThatArrivedMeanwhile()
    {
        var (mailbox, target) = NewMailbox();
        var state = new GraphDeltaState { BaselineAt = DateTimeOffset.UtcNow };
        var handed = new List<GraphMail>();
        await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);
        var before = mailbox.Deliver(Mime("vor dem Ablauf"));
        await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        mailbox.ExpireDeltaLinks();
        var after = mailbox.Deliver(Mime("nach dem Ablauf"));
        var round = await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        Assert.True(round.Restarted);
        Assert.True(round.Completed);
        Assert.Equal(["vor dem Ablauf", "nach dem Ablauf"], handed.Select(Subject));
        Assert.Equal(1, mailbox.Fetches(before));
        Assert.Equal(1, mailbox.Fetches(after));
    }

    [Fact]
    public async Task RemovedEntriesAreIgnoredAndTheNewMailOfTheSameRoundIsHandedOver()
    {
        var (mailbox, target) = NewMailbox();
        var state = new GraphDeltaState { BaselineAt = DateTimeOffset.UtcNow };
        var handed = new List<GraphMail>();
        await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);
        var first = mailbox.Deliver(Mime("erste"));
        await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        mailbox.Delete(first);
        mailbox.Deliver(Mime("zweite"));
        var round = await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        Assert.Equal(1, round.Removed);
        Assert.Equal(["erste", "zweite"], handed.Select(Subject));
    }

    [Fact]
    public async Task ThrottlingIsReportedWithGraphsRetryAfterAndTheLinkStaysWhereItWas()
    {
        var (mailbox, target) = NewMailbox();
        var state = new GraphDeltaState { BaselineAt = DateTimeOffset.UtcNow };
        await Sync().RunAsync(target, state, 0, _ => Task.CompletedTask, CancellationToken.None);
        var link = state.DeltaLink;
        mailbox.FailNext(new FakeGraph.Fault(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", RetryAfterSeconds: 7));

        var error = await Assert.ThrowsAsync<MailboxAccessException>(() => Sync().RunAsync(target, state, 0, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(MailboxErrorCodes.GraphThrottled, error.Code);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Contains("MailboxConcurrency", error.Message, StringComparison.Ordinal);
        Assert.Equal(link, state.DeltaLink);
    }

    [Fact]
    public async Task RawMimeIsReadWithAtMostFourRequestsAtOnce()
    {
        var (mailbox, target) = NewMailbox();
        var state = new GraphDeltaState { BaselineAt = DateTimeOffset.UtcNow };
        var handed = new List<GraphMail>();
        await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);
        mailbox.MimeDelay = TimeSpan.FromMilliseconds(150);
        for (var i = 0; i < 12; i++)
        {
            mailbox.Deliver(Mime($"Alarm {i}"));
        }

        var round = await Sync(new GraphOptions { MaxConcurrentRequestsPerMailbox = 4 }).RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        Assert.Equal(12, round.HandedOver);
        Assert.Equal(12, mailbox.TotalFetches);
        Assert.InRange(mailbox.MaxConcurrentRequests, 2, 4);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"Alarm {i}"), handed.Select(Subject));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AMailAboveTheSizeLimitIsHandedOverAsItsFirstBytesFlaggedPartialAndTheMailAfterItInFull(bool announceLength)
    {
        const int limit = 64 * 1024;
        var (mailbox, target) = NewMailbox();
        mailbox.AnnounceMimeLength = announceLength;
        var state = new GraphDeltaState { BaselineAt = DateTimeOffset.UtcNow };
        var handed = new List<GraphMail>();
        var sync = Sync(new GraphOptions { MaxMessageBytes = limit });
        await sync.RunAsync(target, state, 0, Collect(handed), CancellationToken.None);
        var big = LargeMime("F3 Lagerhalle", "Einsatzort: Hafenstr. 7, 20457 Hamburg", attachmentBytes: 400_000);
        mailbox.Deliver(big);
        mailbox.Deliver(Mime("B2 Kleinbrand"));

        var round = await sync.RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        Assert.Equal(2, round.HandedOver);
        var first = handed[0];
        Assert.True(first.Partial);
        Assert.Equal(limit, first.Raw.Length);
        Assert.Equal(announceLength ? big.Length : limit + 1, first.Size);
        Assert.Equal(big.AsSpan(0, limit).ToArray(), first.Raw);
        Assert.Equal("F3 Lagerhalle", Subject(first));
        Assert.False(handed[1].Partial);
        Assert.Equal("B2 Kleinbrand", Subject(handed[1]));
        Assert.Equal(handed[1].Raw.LongLength, handed[1].Size);
    }

    [Fact]
    public async Task AFailedHandOverMarksNothingAndTheNextRoundHandsTheMailOver()
    {
        var (mailbox, target) = NewMailbox();
        var state = new GraphDeltaState { BaselineAt = DateTimeOffset.UtcNow };
        await Sync().RunAsync(target, state, 0, _ => Task.CompletedTask, CancellationToken.None);
        var link = state.DeltaLink;
        var mail = mailbox.Deliver(Mime("B3 Wohnhausbrand"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Sync().RunAsync(target, state, 0, _ => throw new InvalidOperationException("pipeline down"), CancellationToken.None));
        var unchanged = (state.DeltaLink, state.HandedOver.Count);
        var handed = new List<GraphMail>();
        var retry = await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        Assert.Equal((link, 0), unchanged);
        Assert.Equal(1, retry.HandedOver);
        Assert.Equal(mail.Id, Assert.Single(handed).Id);
    }

    [Fact]
    public async Task AFolderPathBelowTheInboxIsResolvedAndOnlyItsMailIsHandedOver()
    {
        var (mailbox, target) = NewMailbox(folder: "inbox/ALARM");
        var alarmFolder = mailbox.AddFolder("Alarm", mailbox.Inbox);
        var state = new GraphDeltaState { BaselineAt = DateTimeOffset.UtcNow };
        var handed = new List<GraphMail>();
        await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        mailbox.Deliver(Mime("im Posteingang"));
        mailbox.Deliver(Mime("im Alarm-Ordner"), alarmFolder);
        await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        Assert.Equal(alarmFolder.Id, state.FolderId);
        Assert.Equal("im Alarm-Ordner", Subject(Assert.Single(handed)));
    }

    [Fact]
    public async Task AFolderDeletedAndCreatedAgainIsLookedUpAgainAndItsNewMailHandedOver()
    {
        var (mailbox, target) = NewMailbox(folder: "Alarm");
        var folder = mailbox.AddFolder("Alarm", null);
        var state = new GraphDeltaState { BaselineAt = DateTimeOffset.UtcNow };
        var handed = new List<GraphMail>();
        await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        mailbox.RemoveFolder(folder);
        var gone = await Assert.ThrowsAsync<MailboxAccessException>(() => Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None));
        var forgotten = (state.FolderId, state.DeltaLink);
        var again = mailbox.AddFolder("Alarm", null);
        mailbox.Deliver(Mime("im neuen Ordner"), again);
        var round = await Sync().RunAsync(target, state, 0, Collect(handed), CancellationToken.None);

        Assert.Equal(MailboxErrorCodes.GraphFolderNotFound, gone.Code);
        Assert.Equal((null, null), forgotten);
        Assert.Equal(again.Id, state.FolderId);
        Assert.True(round.Completed);
        Assert.Equal("im neuen Ordner", Subject(Assert.Single(handed)));
    }

    [Fact]
    public async Task BackfillHandsOverTheNewestExistingMailsOldestFirst()
    {
        var (mailbox, target) = NewMailbox();
        for (var i = 1; i <= 3; i++)
        {
            mailbox.Deliver(Mime($"alt {i}"), receivedAt: DateTimeOffset.UtcNow.AddMinutes(-10 + i));
        }

        var state = new GraphDeltaState { BaselineAt = DateTimeOffset.UtcNow };
        var handed = new List<GraphMail>();
        var round = await Sync().RunAsync(target, state, 2, Collect(handed), CancellationToken.None);

        Assert.Equal(2, round.HandedOver);
        Assert.Equal(["alt 2", "alt 3"], handed.Select(Subject));
    }

    [Fact]
    public async Task APageLinkToAnotherHostIsNotFollowedSoTheTokenStaysWithGraph()
    {
        var (_, target) = NewMailbox();
        var before = fixture.Graph.Requests.Count;
        var api = new GraphApiClient(_clients, Tokens(), Options.Create(new GraphOptions()), NullLogger<GraphApiClient>.Instance);

        var error = await Assert.ThrowsAsync<MailboxAccessException>(() => api.GetDeltaPageAsync(target, new Uri("https://collector.example/v1.0/users/x/mailFolders/y/messages/delta?$skiptoken=abc"), CancellationToken.None));

        Assert.Equal(MailboxErrorCodes.GraphRequestFailed, error.Code);
        Assert.Contains("collector.example", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Graph.Requests.Count);
    }

    [Theory]
    [InlineData("unknown-user", MailboxErrorCodes.GraphMailboxNotFound)]
    [InlineData("not-enabled", MailboxErrorCodes.GraphMailboxNotEnabled)]
    [InlineData("not-granted", MailboxErrorCodes.GraphAccessDenied)]
    [InlineData("wrong-audience", MailboxErrorCodes.GraphTokenRejected)]
    [InlineData("missing-folder", MailboxErrorCodes.GraphFolderNotFound)]
    [InlineData("server-error", MailboxErrorCodes.GraphServiceUnavailable)]
    public async Task EachRefusalOfGraphHasItsCodeAndAHint(string situation, string code)
    {
        var (mailbox, target) = NewMailbox(folder: situation == "missing-folder" ? "Inbox/Gibt es nicht" : "Inbox");
        switch (situation)
        {
            case "unknown-user":
                target = target with { User = "niemand@ff-test.example" };
                break;
            case "not-enabled":
                mailbox.RestEnabled = false;
                break;
            case "not-granted":
                mailbox.GrantedApps.Clear();
                break;
            case "wrong-audience":
                var app = fixture.Entra.Register(mailbox.Address, a => a.Roles = []);
                mailbox.GrantedApps.Add(app.ClientId);
                target = target with { App = GraphFixture.Settings(app) };
                break;
            case "server-error":
                mailbox.FailNext(new FakeGraph.Fault(500, "UnknownError", "An internal server error occurred."));
                break;
        }

        var error = await Assert.ThrowsAsync<MailboxAccessException>(() => Sync().RunAsync(target, new GraphDeltaState(), 0, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(code, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(MailboxErrorHints.For(code)));
    }

    private (FakeGraph.Mailbox Mailbox, GraphMailboxTarget Target) NewMailbox(string folder = "Inbox")
    {
        var address = $"alarm-{Guid.NewGuid():N}@ff-graph.example"[..40];
        var app = fixture.RegisterGraphApp(address);
        var mailbox = fixture.Graph.AddMailbox(address, app.ClientId);
        var target = new GraphMailboxTarget(new Uri($"https://127.0.0.1:{fixture.Graph.Port}/v1.0/"), address, folder, GraphFixture.Settings(app), fixture.Graph.CertificateSha256);
        return (mailbox, target);
    }

    private GraphDeltaSync Sync(GraphOptions? options = null)
    {
        var graphOptions = Options.Create(options ?? new GraphOptions());
        var api = new GraphApiClient(_clients, Tokens(), graphOptions, NullLogger<GraphApiClient>.Instance);
        return new GraphDeltaSync(api, graphOptions, TimeProvider.System, NullLogger<GraphDeltaSync>.Instance);
    }

    private MsalAccessTokenProvider Tokens() =>
        new(Options.Create(new Office365Options()), TimeProvider.System, NullLogger<MsalAccessTokenProvider>.Instance, fixture.Entra.HttpClientFactory);

    private static Func<IReadOnlyList<GraphMail>, Task> Collect(List<GraphMail> into) => mails =>
    {
        into.AddRange(mails);
        return Task.CompletedTask;
    };

    private static string Subject(GraphMail mail) => MimeKit.MimeMessage.Load(new MemoryStream(mail.Raw)).Subject ?? "";

    private static byte[] LargeMime(string subject, string text, int attachmentBytes)
    {
        var body = new MimeKit.BodyBuilder { TextBody = text };
        body.Attachments.Add("anhang.bin", new byte[attachmentBytes].Select((_, i) => (byte)(i * 7919 % 251)).ToArray());
        var message = new MimeKit.MimeMessage { Subject = subject, Body = body.ToMessageBody() };
        message.From.Add(new MimeKit.MailboxAddress("Leitstelle", "leitstelle@example.org"));
        message.To.Add(new MimeKit.MailboxAddress("", "alarm@ff.example"));
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }

    private static byte[] Mime(string subject)
    {
        using var stream = new MemoryStream();
        DovecotServer.Mail(subject).WriteTo(stream);
        return stream.ToArray();
    }
}
