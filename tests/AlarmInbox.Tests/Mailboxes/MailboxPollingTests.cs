using System.Diagnostics;
using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Mailboxes;

/// <summary>Mailbox grains polling a real Dovecot through the real silo.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MailboxPollingTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private IGrainFactory Grains => cluster.Silo.Grains;

    [Fact]
    public async Task NewMailboxDoesNotReportMailsAlreadyThere()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var existing = await cluster.Imap.AppendAsync(user, [DovecotServer.Mail("alt 1"), DovecotServer.Mail("alt 2"), DovecotServer.Mail("alt 3")]);

        var (mailbox, created) = await CreateMailboxAsync(user);
        var poll = await mailbox.PollNowAsync();

        Assert.Equal(MailboxState.Idle, created.Status.State);
        Assert.Equal(existing[^1], created.Status.Watermark.LastUid);
        Assert.NotNull(poll);
        Assert.True(poll.Succeeded);
        Assert.Equal(0, poll.NewMessages);
        Assert.Empty((await mailbox.GetMessagesAsync(50))!);
    }

    [Fact]
    public async Task MailAppendedAfterCreationIsFetchedOnceWithDecodedSubject()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var (mailbox, _) = await CreateMailboxAsync(user);

        var uid = await cluster.Imap.AppendCorpusAsync(user, "02-latin1-quoted-printable.eml");
        var first = await mailbox.PollNowAsync();
        var second = await mailbox.PollNowAsync();
        var messages = await mailbox.GetMessagesAsync(50);

        Assert.Equal(1, first!.NewMessages);
        Assert.Equal(0, second!.NewMessages);
        var message = Assert.Single(messages!);
        Assert.Equal(uid, message.Uid);
        Assert.Equal("H1 Türöffnung Große Gasse", message.Subject);
        Assert.Equal("alarmierung@ils-musterland.example", message.From);
        Assert.Equal("ils.2026-113457.1@ils-musterland.example", message.MessageId);
        Assert.Contains("Ältere Person hilflos hinter Tür", message.Text);
        Assert.NotNull(message.InternalDate);
        Assert.True(message.Size > 0);
        Assert.Equal(uid, first.Watermark.LastUid);
    }

    [Fact]
    public async Task TwoHundredFiftyMailsAreAllFetchedInUidOrderNoneTwiceNoneMissed()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var (mailbox, _) = await CreateMailboxAsync(user);
        var uids = await cluster.Imap.AppendAsync(user, Enumerable.Range(1, 250).Select(i => DovecotServer.Mail($"Einsatz {i:000}")).ToList());

        var watch = Stopwatch.StartNew();
        var poll = await mailbox.PollNowAsync();
        watch.Stop();
        output.WriteLine($"Fetched {poll!.NewMessages} new mails in one poll: {watch.Elapsed.TotalMilliseconds:0} ms (grain reports {poll.DurationMs:0} ms)");
        var messages = await mailbox.GetMessagesAsync(500);

        Assert.True(poll.Succeeded);
        Assert.Equal(250, poll.NewMessages);
        Assert.Equal(uids.OrderByDescending(u => u), messages!.Select(m => m.Uid));
        Assert.Equal(Enumerable.Range(1, 250).Reverse().Select(i => $"Einsatz {i:000}"), messages!.Select(m => m.Subject));
        Assert.Equal(0, (await mailbox.PollNowAsync())!.NewMessages);
        Assert.Equal(250, (await mailbox.GetAsync())!.Status.MessagesFetched);
    }

    [Fact]
    public async Task IdleMailboxPollTakesOneRoundTrip()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var (mailbox, _) = await CreateMailboxAsync(user);
        await mailbox.PollNowAsync();

        var durations = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var poll = await mailbox.PollNowAsync();
            Assert.True(poll!.Succeeded);
            Assert.Equal(0, poll.NewMessages);
            durations.Add(poll.DurationMs);
        }

        durations.Sort();
        output.WriteLine($"Idle poll (connect, login, EXAMINE, UID SEARCH, LOGOUT) over 20 polls: median {durations[10]:0.0} ms, max {durations[^1]:0.0} ms");
    }

    [Fact]
    public async Task BackfillFetchesTheNewestExistingMails()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var uids = await cluster.Imap.AppendAsync(user, Enumerable.Range(1, 5).Select(i => DovecotServer.Mail($"alt {i}")).ToList());

        var (mailbox, created) = await CreateMailboxAsync(user, backfill: 2);
        var messages = await mailbox.GetMessagesAsync(50);

        Assert.Equal(2, created.Status.MessagesFetched);
        Assert.Equal([uids[4], uids[3]], messages!.Select(m => m.Uid));
        Assert.Equal(["alt 5", "alt 4"], messages!.Select(m => m.Subject));
    }

    [Fact]
    public async Task WrongPasswordGivesFailingWithAuthFailedAndTheTimerTriesAgain()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var (mailbox, created) = await CreateMailboxAsync(user, password: "falsch", pollIntervalSeconds: 10);

        Assert.Equal(MailboxState.Failing, created.Status.State);
        Assert.Equal(MailboxErrorCodes.AuthFailed, created.Status.LastError!.Code);
        Assert.Contains(user, created.Status.LastError.Message);
        Assert.DoesNotContain("falsch", created.Status.LastError.Message);
        Assert.Equal(UidWatermark.None, created.Status.Watermark);

        // No call from here on: the grain timer polls again at the interval.
        var retried = await Eventually.WaitForAsync(
            () => mailbox.GetAsync(), d => d!.Status.ConsecutiveFailures >= 2, TimeSpan.FromSeconds(30), "a second failed poll by the timer");
        Assert.Equal(MailboxState.Failing, retried!.Status.State);
        Assert.Equal(MailboxErrorCodes.AuthFailed, retried.Status.LastError!.Code);
    }

    [Fact]
    public async Task FixingThePasswordClearsTheErrorAndSetsTheWatermark()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var (mailbox, created) = await CreateMailboxAsync(user, password: "falsch");
        Assert.Equal(MailboxState.Failing, created.Status.State);

        var settings = Settings(user, password: "geheim");
        Assert.True((await mailbox.UpdateAsync(created.Config.TenantId, settings)).Succeeded);
        var poll = await mailbox.PollNowAsync();
        var details = await mailbox.GetAsync();

        Assert.True(poll!.Succeeded);
        Assert.Equal(MailboxState.Idle, details!.Status.State);
        Assert.Null(details.Status.LastError);
        Assert.True(details.Status.Watermark.IsSet);
    }

    [Fact]
    public async Task MissingFolderGivesFolderNotFound()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var (mailbox, created) = await CreateMailboxAsync(user, folder: "Alarme");

        var poll = await mailbox.PollNowAsync();

        Assert.Equal(MailboxState.Failing, created.Status.State);
        Assert.False(poll!.Succeeded);
        Assert.Equal(MailboxErrorCodes.FolderNotFound, poll.Error!.Code);
        Assert.Contains("'Alarme'", poll.Error.Message);
    }

    [Fact]
    public async Task RefusedConnectionGivesConnectFailed()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var closedPort = FreePort.Next();
        var (_, created) = await CreateMailboxAsync(user, port: closedPort);

        Assert.Equal(MailboxState.Failing, created.Status.State);
        Assert.Equal(MailboxErrorCodes.ConnectFailed, created.Status.LastError!.Code);
    }

    [Fact]
    public async Task PausedMailboxIsNotPolledByItsTimerAndResumes()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var (mailbox, _) = await CreateMailboxAsync(user, pollIntervalSeconds: 10);

        var tenantId = (await mailbox.GetAsync())!.Config.TenantId;
        var paused = (await mailbox.PauseAsync(tenantId)).Value;
        var resumed = (await mailbox.ResumeAsync(tenantId)).Value;

        Assert.Equal(MailboxState.Paused, paused!.Status.State);
        Assert.Equal(MailboxState.Idle, resumed!.Status.State);
    }

    [Fact]
    public async Task MailArrivingAfterCreationIsFetchedByTheTimerWithoutACall()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var (mailbox, _) = await CreateMailboxAsync(user, pollIntervalSeconds: 10);

        var uid = await cluster.Imap.AppendCorpusAsync(user, "01-plain-utf8-keyvalue.eml");
        var messages = await Eventually.WaitForAsync(
            () => mailbox.GetMessagesAsync(10), m => m!.Count == 1, TimeSpan.FromSeconds(30), "the timer to fetch the mail");

        Assert.Equal(uid, messages![0].Uid);
        Assert.Equal("B3 Wohnhausbrand", messages[0].Subject);
    }

    [Fact]
    public async Task DeletedMailboxIsGoneFromItsTenant()
    {
        var user = await cluster.Imap.CreateUserAsync();
        var (mailbox, created) = await CreateMailboxAsync(user);
        var tenant = Grains.GetGrain<ITenantGrain>(created.Config.TenantId);

        Assert.Null(await tenant.DeleteMailboxAsync(created.Config.Id));

        Assert.Null(await mailbox.GetAsync());
        Assert.Empty((await tenant.ListMailboxesAsync())!);
        Assert.Equal(CommandErrorKind.NotFound, (await tenant.DeleteMailboxAsync(created.Config.Id))?.Kind);
    }

    private async Task<(IMailboxGrain Mailbox, MailboxDetails Created)> CreateMailboxAsync(
        string user, string password = "geheim", int backfill = 0, string folder = "INBOX", int pollIntervalSeconds = 60, int? port = null)
    {
        var tenantId = "t-" + Guid.NewGuid().ToString("N")[..12];
        var tenant = Grains.GetGrain<ITenantGrain>(tenantId);
        await tenant.CreateAsync("Feuerwehr Test");
        var created = (await tenant.CreateMailboxAsync(Settings(user, password, folder, pollIntervalSeconds, port), backfill)).Value!;
        return (Grains.GetGrain<IMailboxGrain>(created!.Config.Id), created);
    }

    // These tests are about polling: IDLE is off so that every fetch is the poll under test (IdleTests cover IDLE).
    private MailboxSettings Settings(string user, string password = "geheim", string folder = "INBOX", int pollIntervalSeconds = 60, int? port = null) => new()
    {
        UseIdle = false,
        DisplayName = "Alarm " + user,
        Host = cluster.Imap.Host,
        Port = port ?? cluster.Imap.ImapPort,
        Security = MailboxSecurity.None,
        Username = user,
        Password = password,
        Folder = folder,
        PollIntervalSeconds = pollIntervalSeconds,
    };
}
