using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Silo.Smtp;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace AlarmInbox.Tests.Inbound;

/// <summary>
/// A tenant deleted while one of its SMTP mails is on its way: the mail got its UID from the inbound address before the
/// delete and reaches the alarm pipeline after it. With a silo of its own whose hand-off is held at that point.
/// </summary>
public sealed class TenantDeletedDuringHandOffTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AMailWhoseTenantIsDeletedAfterItGotItsUidStoresAndSendsNothingAndTheIdStartsEmptyAgain()
    {
        var port = FreePort.Next();
        var observer = new PausingHandOffObserver();
        await using var silo = await TestSilo.StartAsync(
            settings: SmtpSiloFixture.SmtpSettings(port),
            services: s => s.AddSingleton<ISpoolHandOffObserver>(observer));
        await using var receiver = new WebhookReceiver();
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        await silo.Grains.GetGrain<IWebhookOutboxGrain>(tenantId).CreateWebhookAsync(new WebhookSettings { Name = "Alarmdisplay", Url = receiver.Url, Secret = receiver.Secret });
        var addressId = "inb-" + Guid.NewGuid().ToString("N")[..12];
        var address = silo.Grains.GetGrain<IInboundAddressGrain>(addressId);
        var mail = MimeMessage.Load(Path.Combine(RepoPaths.CorpusMail, "01-plain-utf8-keyvalue.eml"));
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
            await client.SendAsync(mail, MailboxAddress.Parse("alarmierung@ils-musterland.example"), [MailboxAddress.Parse((await address.CreateAsync(tenantId, null)).Value!.Address)]);
            await client.DisconnectAsync(quit: true);
        }

        Assert.Equal(addressId, await observer.Reserved.WaitAsync(Wait));
        Assert.Null(await silo.Grains.GetGrain<ITenantGrain>(tenantId).DeleteAsync(cascade: true));
        observer.Resume();
        await Eventually.WaitForAsync(
            () => Task.FromResult(Directory.GetFiles(Path.Combine(silo.DataDirectory, "spool"), "*.msg").Length), n => n == 0, Wait, "the hand-off done and the spool emptied");

        var alarms = silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);
        Assert.Empty(await alarms.ListAsync(new AlarmQuery()));
        Assert.Empty(await address.GetMessagesAsync(10));
        Assert.Null(await address.GetAsync());

        // Created again under the id: empty, and its pipeline takes mail again.
        Assert.True((await silo.Grains.GetGrain<ITenantGrain>(tenantId).CreateAsync("Feuerwehr Neu")).Succeeded);
        Assert.Empty(await alarms.ListAsync(new AlarmQuery()));
        var outcome = Assert.Single(await alarms.IngestAsync(
            new MailPath(MailPathKind.Smtp, "inb-new"),
            [new MailMessage { UidValidity = 1, Uid = 1, Subject = "B3 Wohnhausbrand", Text = "Einsatznummer: 2026-600001", FetchedAt = DateTimeOffset.UtcNow }]));
        Assert.Equal(IngestDisposition.Evaluated, outcome.Disposition);
        Assert.Equal("2026-600001", Assert.Single(await alarms.ListAsync(new AlarmQuery())).IncidentNumber);
        // Only this tenant's requests count: the receiver's loopback port may be one that an earlier test's webhook still names.
        Assert.DoesNotContain(receiver.Requests, r => r.Body.Contains($"\"{tenantId}\"", StringComparison.Ordinal));
    }
}
