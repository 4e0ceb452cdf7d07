using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Webhooks;
using AlarmInbox.Silo.Storage;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlarmInbox.Tests.Hostile;

/// <summary>
/// The webhook outbox's write of new deliveries fails after the database committed it (the reply lost). Before the fix
/// the outbox's memory missed the stored delivery, and the alarm pipeline's retry found the revision stored and added
/// nothing: the alarm was not delivered until the outbox happened to be activated again.
/// </summary>
public sealed class OutboxWriteFailureTests
{
    [Fact]
    public async Task AnAlarmWhoseDeliveryWriteFailedAfterItsCommitIsDeliveredOnceWithoutAnotherMail()
    {
        var store = new CommitThenFailDeliveryStore();
        await using var silo = await TestSilo.StartAsync(
            settings: AlarmSiloFixture.FastRetries,
            services: s => s.AddSingleton(sp => store.Over(new SqlWebhookDeliveryStore(sp.GetRequiredService<HistoryDatabase>()))));
        await using var receiver = new WebhookReceiver();
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        await silo.Grains.GetGrain<IWebhookOutboxGrain>(tenantId).CreateWebhookAsync(new WebhookSettings { Name = "Alarmdisplay", Url = receiver.Url, Secret = receiver.Secret });
        var alarms = silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);
        var path = new MailPath(MailPathKind.Imap, "mbx-outbox-fault");
        MailMessage[] mail =
        [
            new MailMessage
            {
                UidValidity = 1,
                Uid = 1,
                MessageId = "ils.2026-700001@ils-musterland.example",
                From = "alarmierung@ils-musterland.example",
                Subject = "B3 Wohnhausbrand",
                Text = "Einsatznummer: 2026-700001\nStichwort: B3 Wohnhausbrand\nOrt: Musterdorf",
                FetchedAt = DateTimeOffset.UtcNow,
            },
        ];

        store.FailNextAdd();
        await Assert.ThrowsAnyAsync<Exception>(() => alarms.IngestAsync(path, mail));
        // The mailbox retries its batch: the alarm is stored, so the mail is handled and nothing is handed off again here.
        Assert.Equal(IngestDisposition.Skipped, Assert.Single(await alarms.IngestAsync(path, mail)).Disposition);

        var delivered = await Eventually.WaitForAsync(
            () => Task.FromResult(receiver.Accepted), a => a.Count >= 1, TimeSpan.FromSeconds(30), "the alarm at the webhook");
        var alarm = Assert.Single(await alarms.ListAsync(new AlarmQuery()));
        Assert.Equal("2026-700001", alarm.IncidentNumber);
        Assert.Equal($"{alarm.Id}.1", Assert.Single(delivered).IdempotencyKey);
        var deliveries = await silo.Grains.GetGrain<IWebhookOutboxGrain>(tenantId).GetDeliveriesAsync([alarm.Id]);
        Assert.Equal(WebhookDeliveryState.Delivered, Assert.Single(deliveries[alarm.Id]).State);
    }
}
