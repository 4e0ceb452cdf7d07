using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Silo.Smtp;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
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

        string reply;
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
            reply = await client.SendAsync(mail, MailboxAddress.Parse("alarmierung@ils-musterland.example"), [MailboxAddress.Parse(address)]);
            await client.DisconnectAsync(quit: true);
        }

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
}
