using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Silo.Smtp;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Hostile;
using AlarmInbox.Tests.Infrastructure;
using AlarmInbox.Tests.Security;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace AlarmInbox.Tests.Inbound;

/// <summary>Durability of the SMTP spool across a silo restart, with a silo of its own.</summary>
public sealed class SpoolRecoveryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task MailAnswered250SurvivesASiloStoppedBeforeTheHandOffAndIsStoredOnceAfterRestart()
    {
        var port = FreePort.Next();
        var observer = new FailingHandOffObserver();
        await using var silo = await TestSilo.StartAsync(
            settings: SmtpSiloFixture.SmtpSettings(port),
            services: s => s.AddSingleton<ISpoolHandOffObserver>(observer));
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        var addressId = "inb-" + Guid.NewGuid().ToString("N")[..12];
        var address = (await silo.Grains.GetGrain<IInboundAddressGrain>(addressId).CreateAsync(tenantId, null)).Value!.Address;
        var mail = MimeMessage.Load(Path.Combine(RepoPaths.CorpusMail, "01-plain-utf8-keyvalue.eml"));

        var reply = await SendAsync(port, mail, address);

        await Eventually.WaitForAsync(() => Task.FromResult(observer.FailedAttempts), n => n >= 1, Wait, "a failed hand-off");
        var spooled = Directory.GetFiles(Path.Combine(silo.DataDirectory, "spool"), "*.msg");
        var before = await silo.Grains.GetGrain<IInboundAddressGrain>(addressId).GetMessagesAsync(10);
        observer.Fail = false;
        await silo.RestartAsync();

        var after = await Eventually.WaitForAsync(
            () => silo.Grains.GetGrain<IInboundAddressGrain>(addressId).GetMessagesAsync(10), m => m.Count > 0, Wait, "the mail stored after the restart");
        await Eventually.WaitForAsync(
            () => Task.FromResult(Directory.GetFiles(Path.Combine(silo.DataDirectory, "spool"), "*.msg").Length), n => n == 0, Wait, "the spool emptied");
        var records = await silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { MailboxId = addressId });

        Assert.StartsWith("Queued as smtp-", reply, StringComparison.Ordinal);
        Assert.Single(spooled);
        Assert.Empty(before);
        var message = Assert.Single(after);
        Assert.Equal("ils.2026-113456.1@ils-musterland.example", message.MessageId);
        Assert.Equal(1u, message.Uid);
        var record = Assert.Single(records);
        Assert.Equal("2026-113456", record.IncidentNumber);
        Assert.Equal(1, (await silo.Grains.GetGrain<IInboundAddressGrain>(addressId).GetAsync())!.AcceptedCount);
    }

    [Fact]
    public async Task AMailThatFailsEveryHandOffIsRetriedWithGrowingWaitsThenMovedToParkedWithItsRawMailLoggedAndCounted()
    {
        var port = FreePort.Next();
        var observer = new FailingHandOffObserver(() => new InvalidOperationException("Simulated mail that makes the pipeline throw."));
        var logs = new CapturingLoggerProvider();
        var settings = SmtpSiloFixture.SmtpSettings(port);
        foreach (var (key, value) in PoisonMail.Settings)
        {
            settings[key] = value;
        }

        await using var silo = await TestSilo.StartAsync(settings: settings, services: s => s.AddSingleton<ISpoolHandOffObserver>(observer).AddSingleton<ILoggerProvider>(logs));
        using var counter = new ParkedMailCounter(silo.Services);
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        var addressId = "inb-" + Guid.NewGuid().ToString("N")[..12];
        var address = (await silo.Grains.GetGrain<IInboundAddressGrain>(addressId).CreateAsync(tenantId, null)).Value!.Address;
        var spool = Path.Combine(silo.DataDirectory, "spool");

        var spoolId = (await SendAsync(port, SmtpTestSilo.Mail("B3 Giftmail", "2026-700050"), address))["Queued as ".Length..];
        var parked = Path.Combine(spool, "parked", spoolId + ".msg");
        await Eventually.WaitForAsync(() => Task.FromResult(File.Exists(parked)), found => found, Wait, "the mail moved to parked/");

        // Hand-offs work again: the next mail goes through, also after a restart whose start-up scan reads the spool folder.
        observer.Fail = false;
        await SendAsync(port, SmtpTestSilo.Mail("B3 danach", "2026-700051"), address);
        await silo.RestartAsync();
        await SendAsync(port, SmtpTestSilo.Mail("B3 nach dem Neustart", "2026-700052"), address);
        var records = await Eventually.WaitForAsync(
            () => silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { MailboxId = addressId }), r => r.Count >= 2, Wait, "the two later alarms");
        await Eventually.WaitForAsync(() => Task.FromResult(Directory.GetFiles(spool).Length), n => n == 0, Wait, "the spool folder emptied");

        PoisonMail.AssertRetriedWithGrowingWaits(observer.FailedAt(spoolId));
        Assert.Contains("Subject: B3 Giftmail", await File.ReadAllTextAsync(parked), StringComparison.Ordinal);
        Assert.Equal(["2026-700051", "2026-700052"], records.Select(r => r.IncidentNumber).Order(StringComparer.Ordinal));
        Assert.Equal(1, counter.Parked);
        PoisonMail.AssertLogged(logs, spoolId, tenantId);
    }

    private static async Task<string> SendAsync(int port, MimeMessage mail, string recipient)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
        var reply = await client.SendAsync(mail, MailboxAddress.Parse(SmtpTestSilo.Leitstelle), [MailboxAddress.Parse(recipient)]);
        await client.DisconnectAsync(quit: true);
        return reply;
    }
}
