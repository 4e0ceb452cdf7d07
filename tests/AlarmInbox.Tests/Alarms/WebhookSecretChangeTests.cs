using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Alarms;

/// <summary>The outbox keeps the decrypted webhook secret in memory (issue 15); a changed secret signs the next delivery.</summary>
public sealed class WebhookSecretChangeTests(AlarmSiloFixture fixture) : IClassFixture<AlarmSiloFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ASecretChangedAfterADeliverySignsTheNextDeliveryWithTheNewSecret()
    {
        await using var before = new WebhookReceiver("whsec-before-0123456789abcdef");
        await using var after = new WebhookReceiver("whsec-after-fedcba9876543210");
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(fixture.Silo.Grains);
        var outbox = fixture.Silo.Grains.GetGrain<IWebhookOutboxGrain>(tenantId);
        var webhook = (await outbox.CreateWebhookAsync(new WebhookSettings { Name = "Display", Url = before.Url, Secret = before.Secret })).Value!;
        var alarms = fixture.Silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);

        await alarms.IngestAsync("mbx-a", [Mail("01-plain-utf8-keyvalue.eml", 1)]);
        await Eventually.WaitForAsync(() => Task.FromResult(before.Accepted.Count), n => n == 1, Wait, "revision 1 accepted with the first secret");
        Assert.True((await outbox.UpdateWebhookAsync(webhook.Id, new WebhookSettings { Name = "Display", Url = after.Url, Secret = after.Secret })).Succeeded);
        await alarms.IngestAsync("mbx-a", [Mail("10-incident-update-same-number.eml", 2)]);
        await Eventually.WaitForAsync(() => Task.FromResult(after.Requests.Count), n => n >= 1, Wait, "revision 2 sent to the changed webhook");

        var alarm = Assert.Single(await alarms.ListAsync(new AlarmQuery()));
        Assert.Equal([($"{alarm.Id}.1", true)], before.Requests.Select(r => (r.IdempotencyKey, r.SignatureValid)));
        Assert.Equal(($"{alarm.Id}.2", true), after.Requests.Select(r => (r.IdempotencyKey, r.SignatureValid)).First());
    }

    private static MailMessage Mail(string file, uint uid) => AlarmEvaluatorTests.Decode(file) with { UidValidity = 1, Uid = uid };
}
