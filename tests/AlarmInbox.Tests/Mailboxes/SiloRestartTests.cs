using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Mailboxes;

/// <summary>A real restart of the silo host on the same SQLite file.</summary>
public sealed class SiloRestartTests : IAsyncLifetime
{
    private readonly DovecotServer _imap = new();

    public Task InitializeAsync() => _imap.InitializeAsync();

    public Task DisposeAsync() => _imap.DisposeAsync();

    [Fact]
    public async Task AfterRestartConfigAndWatermarkSurviveAndPollingResumesByItself()
    {
        var user = await _imap.CreateUserAsync();
        await using var silo = await TestSilo.StartAsync();
        var tenant = silo.Grains.GetGrain<ITenantGrain>("ff-restart");
        await tenant.CreateAsync("Feuerwehr Neustart");
        var created = (await tenant.CreateMailboxAsync(
            new MailboxSettings
            {
                DisplayName = "Alarm",
                Host = _imap.Host,
                Port = _imap.ImapPort,
                Security = MailboxSecurity.None,
                Username = user,
                Password = "geheim",
                PollIntervalSeconds = 10,
                UseIdle = false,
            },
            backfill: 0)).Value!;
        var mailboxId = created!.Config.Id;
        var before = await _imap.AppendAsync(user, [DovecotServer.Mail("vor dem Neustart")]);
        var poll = await silo.Grains.GetGrain<IMailboxGrain>(mailboxId).PollNowAsync();
        Assert.Equal(1, poll!.NewMessages);

        await silo.RestartAsync();
        var after = await _imap.AppendAsync(user, [DovecotServer.Mail("nach dem Neustart")]);

        // No API call: the start-up task re-activates the mailbox and its timer polls. (Reminders are in memory on this
        // single silo and gone with the restart: nothing else would poll, so a generous wait proves the start-up task.)
        var mailbox = silo.Grains.GetGrain<IMailboxGrain>(mailboxId);
        var messages = await Eventually.WaitForAsync(
            () => mailbox.GetMessagesAsync(50), m => m!.Count >= 2, TimeSpan.FromSeconds(120), "the restarted silo to fetch the new mail");
        // The messages are stored before the watermark moves past them: wait for both.
        var details = await Eventually.WaitForAsync(
            () => mailbox.GetAsync(), d => d!.Status.Watermark.LastUid == after[0], TimeSpan.FromSeconds(60), "the watermark to pass the new mail");

        Assert.Equal([after[0], before[0]], messages!.Select(m => m.Uid));
        Assert.Equal(["nach dem Neustart", "vor dem Neustart"], messages!.Select(m => m.Subject));
        Assert.Equal("Alarm", details!.Config.DisplayName);
        Assert.True(details.Config.HasPassword);
        Assert.Equal(after[0], details.Status.Watermark.LastUid);
        Assert.Equal(created.Status.Watermark.UidValidity, details.Status.Watermark.UidValidity);
        Assert.Equal(2, details.Status.MessagesFetched);
        Assert.Equal([mailboxId], (await silo.Grains.GetGrain<ITenantGrain>("ff-restart").GetAsync())!.MailboxIds);
    }
}
