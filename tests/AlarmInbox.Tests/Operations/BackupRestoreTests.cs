using System.Runtime.Versioning;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Silo.Operations;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Operations;

/// <summary><c>AlarmInbox.Silo backup</c> of a running silo and <c>restore</c> onto a new data folder (a new machine), with a real Dovecot and webhook receiver.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class BackupRestoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly DovecotServer _imap = new();

    public Task InitializeAsync() => _imap.InitializeAsync();

    public Task DisposeAsync() => _imap.DisposeAsync();

    [Fact]
    public async Task RestoredBackupOfARunningSiloNeitherFetchesNorAlarmsAMailTwiceAndStillDecryptsItsSecrets()
    {
        var user = await _imap.CreateUserAsync();
        await using var receiver = new WebhookReceiver();
        await using var original = await TestSilo.StartAsync(settings: AlarmSiloFixture.FastRetries);
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(original.Grains);
        await original.Grains.GetGrain<IWebhookOutboxGrain>(tenantId).CreateWebhookAsync(new WebhookSettings { Name = "Leitstelle", Url = receiver.Url, Secret = receiver.Secret });
        var created = (await original.Grains.GetGrain<ITenantGrain>(tenantId).CreateMailboxAsync(
            new MailboxSettings
            {
                DisplayName = "Alarm",
                Host = _imap.Host,
                Port = _imap.ImapPort,
                Security = MailboxSecurity.None,
                Username = user,
                Password = "geheim",
                PollIntervalSeconds = 600,
                UseIdle = false,
            },
            backfill: 0)).Value!;
        var mailboxId = created!.Config.Id;
        await _imap.AppendCorpusAsync(user, "01-plain-utf8-keyvalue.eml");
        Assert.Equal(1, (await original.Grains.GetGrain<IMailboxGrain>(mailboxId).PollNowAsync())!.NewMessages);
        // Delivered means stored as delivered: a delivery still in flight when the backup is taken is pending in the
        // backup and goes out again after a restore, with the same idempotency key (at-least-once, docs/operations.md).
        var firstAlarm = Assert.Single(await original.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery()));
        await Eventually.WaitForAsync(
            () => original.Grains.GetGrain<IWebhookOutboxGrain>(tenantId).GetDeliveriesAsync([firstAlarm.Id]),
            d => d.TryGetValue(firstAlarm.Id, out var list) && list.All(x => x.State == WebhookDeliveryState.Delivered),
            Wait,
            "the first alarm's delivery to be stored as delivered");

        var work = Directory.CreateTempSubdirectory("ai-backup-test-");
        try
        {
            var file = Path.Combine(work.FullName, "alarminbox-backup.tar.gz");
            var backup = await RunAsync("backup", "--to", file, $"--AlarmInbox:Storage:DataDirectory={original.DataDirectory}");
            var refused = await RunAsync("restore", "--from", file, $"--AlarmInbox:Storage:DataDirectory={original.DataDirectory}");
            await original.StopAsync();

            var restoredDirectory = Path.Combine(work.FullName, "restored");
            var restore = await RunAsync("restore", "--from", file, $"--AlarmInbox:Storage:DataDirectory={restoredDirectory}");
            await using var restored = await TestSilo.StartAsync(restoredDirectory, AlarmSiloFixture.FastRetries);
            var mailbox = restored.Grains.GetGrain<IMailboxGrain>(mailboxId);
            var again = await mailbox.PollNowAsync();
            await _imap.AppendCorpusAsync(user, "03-html-only-table.eml");
            var next = await mailbox.PollNowAsync();
            await Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted.Count), n => n >= 2, Wait, "the alarm of the new mail to be delivered");
            var alarms = await restored.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery());
            var messages = await mailbox.GetMessagesAsync(50);

            Assert.True(backup.ExitCode == 0, backup.Output);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("is in use; stop the silo", refused.Output, StringComparison.Ordinal);
            Assert.True(restore.ExitCode == 0, restore.Output);
            Assert.True(again!.Succeeded, again.Error?.Message); // the password decrypts: the key ring came back too
            Assert.Equal(0, again.NewMessages);
            Assert.Equal(1, next!.NewMessages);
            Assert.Equal(2, messages!.Count);
            Assert.Equal(2, alarms.Count);
            Assert.Equal(2, receiver.Accepted.Count);
            Assert.Equal(2, receiver.Accepted.Select(r => r.IdempotencyKey).Distinct().Count());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        var code = await BackupCommand.RunAsync(args, output, output);
        return (code, output.ToString());
    }
}
