using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Alarms;

/// <summary>Revisions of one alarm reach a webhook in revision order (issue 16, finding 7), with a receiver that fails first.</summary>
public sealed class WebhookOrderTests(AlarmSiloFixture fixture) : IClassFixture<AlarmSiloFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ALaterRevisionWaitsUntilTheEarlierOneIsDeliveredAfterItsRetries()
    {
        await using var receiver = new WebhookReceiver(failFirst: 4);
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(fixture.Silo.Grains);
        await fixture.Silo.Grains.GetGrain<IWebhookOutboxGrain>(tenantId).CreateWebhookAsync(new WebhookSettings { Name = "Display", Url = receiver.Url, Secret = receiver.Secret });
        var alarms = fixture.Silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);

        // Revision 2 is stored while revision 1 is failing and waiting for its retry.
        await alarms.IngestAsync("mbx-a", [Mail("01-plain-utf8-keyvalue.eml", 1)]);
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Requests.Count), n => n >= 1, Wait, "the first failed attempt");
        await alarms.IngestAsync("mbx-a", [Mail("10-incident-update-same-number.eml", 2)]);
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted.Count), n => n == 2, Wait, "both revisions accepted");

        var alarm = Assert.Single(await alarms.ListAsync(new AlarmQuery()));
        var requests = receiver.Requests.ToList();
        Assert.Equal([$"{alarm.Id}.1", $"{alarm.Id}.2"], receiver.Accepted.Select(r => r.IdempotencyKey));
        // Nothing of revision 2 was sent before revision 1 was accepted.
        var firstOfRevision2 = requests.FindIndex(r => r.IdempotencyKey == $"{alarm.Id}.2");
        var acceptedRevision1 = requests.FindIndex(r => r.IdempotencyKey == $"{alarm.Id}.1" && r.Answered == 200);
        Assert.True(firstOfRevision2 > acceptedRevision1, string.Join(", ", requests.Select(r => $"{r.IdempotencyKey}:{r.Answered}")));
        Assert.Equal(5, requests.Count(r => r.IdempotencyKey == $"{alarm.Id}.1"));
    }

    [Fact]
    public async Task WithSupersedeALaterRevisionReplacesAnEarlierOneThatIsWaitingForItsRetry()
    {
        var settings = AlarmSiloFixture.FastRetries;
        settings["AlarmInbox:Webhooks:InitialBackoff"] = "00:00:05";
        settings["AlarmInbox:Webhooks:MaxBackoff"] = "00:00:05";
        settings["AlarmInbox:Webhooks:SupersedeOlderRevisions"] = "true";
        await using var silo = await TestSilo.StartAsync(settings: settings);
        await using var receiver = new WebhookReceiver { Down = true };
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        var outbox = silo.Grains.GetGrain<IWebhookOutboxGrain>(tenantId);
        await outbox.CreateWebhookAsync(new WebhookSettings { Name = "Display", Url = receiver.Url, Secret = receiver.Secret });
        var alarms = silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);

        await alarms.IngestAsync("mbx-a", [Mail("01-plain-utf8-keyvalue.eml", 1)]);
        var alarm = Assert.Single(await alarms.ListAsync(new AlarmQuery()));
        await Eventually.WaitForAsync(
            async () => (await outbox.GetDeliveriesAsync([alarm.Id])).GetValueOrDefault(alarm.Id) ?? [],
            d => d.Count == 1 && d[0].Attempts == 1,
            Wait,
            "revision 1 failed once and waits for its retry");
        receiver.Down = false;
        await alarms.IngestAsync("mbx-a", [Mail("10-incident-update-same-number.eml", 2)]);
        var deliveries = await Eventually.WaitForAsync(
            async () => (await outbox.GetDeliveriesAsync([alarm.Id]))[alarm.Id],
            d => d.Count == 2 && d.All(x => x.State != WebhookDeliveryState.Pending),
            Wait,
            "revision 2 delivered");

        Assert.Equal(
            [(1, WebhookDeliveryState.Superseded), (2, WebhookDeliveryState.Delivered)],
            deliveries.OrderBy(d => d.Revision).Select(d => (d.Revision, d.State)));
        Assert.Equal([$"{alarm.Id}.2"], receiver.Accepted.Select(r => r.IdempotencyKey));
    }

    private static MailMessage Mail(string file, uint uid) => AlarmEvaluatorTests.Decode(file) with { UidValidity = 1, Uid = uid };
}
