using System.Text.Json;
using System.Text.Json.Nodes;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Tests.Ingestion;
using AlarmInbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Alarms;

/// <summary>The alarm pipeline and the webhook outbox in a real silo, with a real HTTP receiver on loopback.</summary>
public sealed class AlarmPipelineTests(AlarmSiloFixture fixture, ITestOutputHelper output) : IClassFixture<AlarmSiloFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private IGrainFactory Grains => fixture.Silo.Grains;

    [Fact]
    public async Task CorpusGivesOneRecordPerMailExceptIncidentUpdatesAndASecondHandOffChangesNothing()
    {
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(Grains);
        var alarms = Grains.GetGrain<ITenantAlarmsGrain>(tenantId);
        var files = CorpusFiles();
        var mails = files.Select((file, i) => AlarmEvaluatorTests.Decode(file) with { UidValidity = 7, Uid = (uint)(i + 1) }).ToList();

        var first = await alarms.IngestAsync("mbx-corpus", mails);
        var again = await alarms.IngestAsync("mbx-corpus", mails);
        var records = await alarms.ListAsync(new AlarmQuery { Limit = 500 });

        Assert.Equal(12, first);
        Assert.Equal(0, again);
        Assert.Equal(10, records.Count);
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.CorpusMail, "expected.json")))!;
        for (var i = 0; i < files.Count; i++)
        {
            var uid = (uint)(i + 1);
            var record = Assert.Single(records, r => r.History.Any(h => h.Source.Uid == uid));
            var revision = record.History.Single(h => h.Source.Uid == uid);
            Assert.Equal((string?)expected[files[i]]!["incidentNumber"], record.IncidentNumber);
            Assert.Equal((string?)expected[files[i]]!["keyword"], revision.Keyword);
            Assert.Equal((bool)expected[files[i]]!["isAlarm"]!, record.Status != AlarmStatus.Rejected);
        }

        // 01, its forwarded copy 08 and its update 10 are one incident (2026-113456) within 30 minutes.
        var incident = Assert.Single(records, r => r.IncidentNumber == "2026-113456");
        Assert.Equal(AlarmStatus.Updated, incident.Status);
        Assert.Equal(3, incident.Revision);
        Assert.Equal([1u, 8u, 10u], incident.History.Select(h => h.Source.Uid));
        Assert.Equal("B4 Wohnhausbrand", incident.Keyword);
        Assert.Equal("Alarmstufenerhöhung, Drehleiter nachgefordert", incident.Fields["Bemerkung"]);
        Assert.Equal("Mehrfamilienhaus", incident.Fields["Objekt"]);
        Assert.Equal(new GeoPosition(49.412345, 8.694321), incident.Position);
        var newsletter = Assert.Single(records, r => r.Status == AlarmStatus.Rejected);
        Assert.Equal(9u, newsletter.Source.Uid);
        Assert.Equal(AlarmRejectionCodes.SenderNotAllowed, newsletter.Rejection!.Code);
    }

    [Fact]
    public async Task UpdateOutsideTheMergeWindowIsASecondAlarm()
    {
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(Grains, AlarmEvaluatorTests.CorpusSettings with { IncidentMergeWindowMinutes = 10 });
        var alarms = Grains.GetGrain<ITenantAlarmsGrain>(tenantId);

        await alarms.IngestAsync("mbx-a", [Mail("01-plain-utf8-keyvalue.eml", 1), Mail("10-incident-update-same-number.eml", 2)]);
        var records = await alarms.ListAsync(new AlarmQuery());

        Assert.Equal([AlarmStatus.New, AlarmStatus.New], records.Select(r => r.Status));
        Assert.All(records, r => Assert.Equal("2026-113456", r.IncidentNumber));
    }

    [Fact]
    public async Task WebhookGetsEachAlarmExactlyOnceWithValidSignatureAlsoWhenTheFirstThreeAttemptsFail()
    {
        await using var receiver = new WebhookReceiver(failFirst: 3);
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(Grains);
        var outbox = Grains.GetGrain<IWebhookOutboxGrain>(tenantId);
        var webhook = (await outbox.CreateWebhookAsync(new WebhookSettings { Name = "Alarmierung", Url = receiver.Url, Secret = receiver.Secret })).Value!;
        var alarms = Grains.GetGrain<ITenantAlarmsGrain>(tenantId);

        var started = DateTimeOffset.UtcNow;
        await alarms.IngestAsync("mbx-a", [Mail("01-plain-utf8-keyvalue.eml", 1)]);
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted.Count), n => n >= 1, Wait, "the first alarm to be accepted");
        var latency = receiver.Accepted[0].At - started;
        await alarms.IngestAsync("mbx-a", [Mail("10-incident-update-same-number.eml", 2)]);
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted.Count), n => n >= 2, Wait, "the update to be accepted");
        var alarm = Assert.Single(await alarms.ListAsync(new AlarmQuery()));

        // The receiver has answered; the outbox records the outcome right after.
        var deliveries = await Eventually.WaitForAsync(
            async () => (await outbox.GetDeliveriesAsync([alarm.Id]))[alarm.Id],
            d => d.Count == 2 && d.All(x => x.State == WebhookDeliveryState.Delivered),
            Wait,
            "both deliveries recorded as delivered");
        output.WriteLine($"First alarm accepted {latency.TotalMilliseconds:0} ms after ingest, after 3 failed attempts with 200 ms initial backoff");

        var requests = receiver.Requests.ToList();
        Assert.Equal(5, requests.Count);
        Assert.All(requests, r => Assert.True(r.SignatureValid));
        Assert.All(requests, r => Assert.StartsWith("application/json", r.ContentType));
        Assert.Equal([$"{alarm.Id}.1", $"{alarm.Id}.1", $"{alarm.Id}.1", $"{alarm.Id}.1", $"{alarm.Id}.2"], requests.Select(r => r.IdempotencyKey));
        Assert.Equal([500, 500, 500, 200, 200], requests.Select(r => r.Answered));
        Assert.Equal([$"{alarm.Id}.1", $"{alarm.Id}.2"], receiver.Accepted.Select(r => r.IdempotencyKey));
        Assert.Equal(["alarm.created", "alarm.updated"], receiver.Accepted.Select(r => r.Event));
        var body = JsonNode.Parse(receiver.Accepted[0].Body)!;
        Assert.Equal("alarm.created", (string?)body["event"]);
        Assert.Equal("2026-113456", (string?)body["alarm"]!["incidentNumber"]);
        Assert.Equal("B3 Wohnhausbrand", (string?)body["alarm"]!["keyword"]);
        Assert.Equal("Lindenweg 7", (string?)body["alarm"]!["fields"]!["Straße"]);
        Assert.Equal(49.412345, (double)body["alarm"]!["position"]!["latitude"]!);
        Assert.Equal(
            [(webhook.Id, 1, WebhookDeliveryState.Delivered, 4, (int?)200), (webhook.Id, 2, WebhookDeliveryState.Delivered, 1, 200)],
            deliveries.OrderBy(d => d.Revision).Select(d => (d.WebhookId, d.Revision, d.State, d.Attempts, d.LastStatusCode)));
    }

    [Fact]
    public async Task TestModeMailboxStoresItsAlarmsAsTestAndDeliversNothing()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(Grains);
        var alarms = Grains.GetGrain<ITenantAlarmsGrain>(tenantId);
        await Grains.GetGrain<IWebhookOutboxGrain>(tenantId).CreateWebhookAsync(new WebhookSettings { Name = "A", Url = receiver.Url, Secret = receiver.Secret });
        await alarms.SetMailboxSettingsAsync("mbx-test", new EvaluationOverride { TestMode = true });

        await alarms.IngestAsync("mbx-test", [Mail("02-latin1-quoted-printable.eml", 1)]);
        await alarms.IngestAsync("mbx-live", [Mail("04-multipart-alternative.eml", 1)]);
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted.Count), n => n >= 1, Wait, "the live alarm to be delivered");
        var test = Assert.Single(await alarms.ListAsync(new AlarmQuery { MailboxId = "mbx-test" }));
        var live = Assert.Single(await alarms.ListAsync(new AlarmQuery { MailboxId = "mbx-live" }));

        Assert.Equal(AlarmStatus.Test, test.Status);
        Assert.Equal("2026-113457", test.IncidentNumber);
        Assert.Equal(AlarmStatus.New, live.Status);
        Assert.Equal([$"{live.Id}.1"], receiver.Requests.Select(r => r.IdempotencyKey));
        Assert.Empty(await Grains.GetGrain<IWebhookOutboxGrain>(tenantId).GetDeliveriesAsync([test.Id]));
    }

    [Fact]
    public async Task DeliveryIsDeadLetteredAfterMaxAttempts()
    {
        await using var silo = await TestSilo.StartAsync(settings: new(AlarmSiloFixture.FastRetries) { ["AlarmInbox:Webhooks:MaxAttempts"] = "2" });
        await using var receiver = new WebhookReceiver(failFirst: 100);
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        var outbox = silo.Grains.GetGrain<IWebhookOutboxGrain>(tenantId);
        await outbox.CreateWebhookAsync(new WebhookSettings { Name = "A", Url = receiver.Url, Secret = receiver.Secret });

        await silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).IngestAsync("mbx-a", [Mail("01-plain-utf8-keyvalue.eml", 1)]);
        var alarm = Assert.Single(await silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery()));
        var delivery = await Eventually.WaitForAsync(
            async () => (await outbox.GetDeliveriesAsync([alarm.Id]))[alarm.Id][0], d => d.State != WebhookDeliveryState.Pending, Wait, "the delivery to give up");

        Assert.Equal(WebhookDeliveryState.DeadLetter, delivery.State);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal(500, delivery.LastStatusCode);
        Assert.Equal("The receiver answered 500.", delivery.LastError);
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task DeliveryResumesAfterSiloRestartWithoutLossAndWithoutARepeatedAcceptedKey()
    {
        await using var silo = await TestSilo.StartAsync(settings: AlarmSiloFixture.FastRetries);
        await using var receiver = new WebhookReceiver(failFirst: 3) { Down = true };
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        await silo.Grains.GetGrain<IWebhookOutboxGrain>(tenantId).CreateWebhookAsync(new WebhookSettings { Name = "A", Url = receiver.Url, Secret = receiver.Secret });
        await silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).IngestAsync("mbx-a", [Mail("01-plain-utf8-keyvalue.eml", 1), Mail("03-html-only-table.eml", 2)]);
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Requests.Count), n => n >= 1, Wait, "a first (failing) attempt");

        await silo.RestartAsync();
        var restartedAt = DateTimeOffset.UtcNow;
        receiver.Down = false;
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted.Count), n => n >= 2, Wait, "both alarms to be accepted after the restart");
        var alarms = await silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery());
        // The receiver has answered; the outbox records the outcome right after.
        var deliveries = await Eventually.WaitForAsync(
            () => silo.Grains.GetGrain<IWebhookOutboxGrain>(tenantId).GetDeliveriesAsync(alarms.Select(a => a.Id).ToList()),
            d => d.Values.SelectMany(x => x).All(x => x.State == WebhookDeliveryState.Delivered),
            Wait,
            "every delivery recorded as delivered");

        Assert.Equal(2, alarms.Count);
        Assert.All(receiver.Accepted, r => Assert.True(r.At >= restartedAt));
        Assert.Equal(alarms.Select(a => $"{a.Id}.1").Order(), receiver.Accepted.Select(r => r.IdempotencyKey).Order());
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));
        Assert.All(deliveries.Values.SelectMany(d => d), d => Assert.Equal(WebhookDeliveryState.Delivered, d.State));
        Assert.Equal(receiver.Requests.Count, deliveries.Values.SelectMany(d => d).Sum(d => d.Attempts));
    }

    private static MailMessage Mail(string file, uint uid) => AlarmEvaluatorTests.Decode(file) with { UidValidity = 7, Uid = uid };

    private static List<string> CorpusFiles() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.CorpusMail, "expected.json"))).RootElement
            .EnumerateObject().Select(p => p.Name).Where(n => n != "_about" && CorpusPathTests.IsOriginalTwelve(n)).Order(StringComparer.Ordinal).ToList();
}
