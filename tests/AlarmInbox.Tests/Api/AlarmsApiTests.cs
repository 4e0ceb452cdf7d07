using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Api;

/// <summary>The alarm, settings, rule tester and webhook endpoints, against the shared silo and Dovecot.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AlarmsApiTests(ClusterFixture cluster)
{
    private const string WebhookSecret = "whsec-Api-5b1e0c77-Geheim";
    private readonly HttpClient _http = cluster.Api.CreateClient();
    private readonly ApiTestClient _api = new(cluster.Api.CreateClient());

    [Fact]
    public async Task MailAppendedToDovecotIsPolledEvaluatedListedAndDeliveredSignedToTheWebhookOnce()
    {
        await using var receiver = new WebhookReceiver(WebhookSecret);
        var tenant = await CreateTenantAsync();
        var settings = await _api.PutAsync($"/api/tenants/{tenant}/alarm-settings", new { allowedSenders = new[] { "ils-musterland.example" }, keywordSource = "Label" });
        var webhook = await _api.PostAsync($"/api/tenants/{tenant}/webhooks", new { name = "Alarmierung", url = receiver.Url, secret = WebhookSecret });
        var user = await cluster.Imap.CreateUserAsync();
        var mailbox = await _api.PostAsync($"/api/tenants/{tenant}/mailboxes", new
        {
            displayName = "Alarm", host = cluster.Imap.Host, port = cluster.Imap.ImapPort, security = "None", username = user, password = "geheim", useIdle = false,
        });
        var mailboxId = (string)mailbox.Body!["id"]!;

        await cluster.Imap.AppendCorpusAsync(user, "01-plain-utf8-keyvalue.eml");
        var poll = await _api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/mailboxes/{mailboxId}/poll");
        var list = await _api.GetAsync($"/api/tenants/{tenant}/alarms?mailbox={mailboxId}&status=new");
        var alarmId = (string)list.Body!.AsArray().Single()!["id"]!;
        var delivered = await Eventually.WaitForAsync(
            () => _api.GetAsync($"/api/tenants/{tenant}/alarms/{alarmId}"),
            r => (string?)r.Body!["deliveries"]!.AsArray().FirstOrDefault()?["state"] == "Delivered",
            TimeSpan.FromSeconds(30),
            "the alarm to be delivered");

        Assert.Equal(200, settings.Status);
        Assert.Equal(201, webhook.Status);
        Assert.True((bool)webhook.Body!["hasSecret"]!);
        Assert.Equal(1, (int)poll.Body!["newMessages"]!);
        var alarm = delivered.Body!;
        Assert.Equal("New", (string?)alarm["status"]);
        Assert.Equal("2026-113456", (string?)alarm["incidentNumber"]);
        Assert.Equal("B3 Wohnhausbrand", (string?)alarm["keyword"]);
        Assert.Equal("Lindenweg 7", (string?)alarm["fields"]!["Straße"]);
        Assert.Equal(8.694321, (double)alarm["position"]!["longitude"]!);
        Assert.Equal("ils.2026-113456.1@ils-musterland.example", (string?)alarm["source"]!["messageId"]);
        Assert.Equal($"{alarmId}.1", (string?)alarm["deliveries"]![0]!["idempotencyKey"]);
        var accepted = Assert.Single(receiver.Requests);
        Assert.True(accepted.SignatureValid);
        Assert.Equal($"{alarmId}.1", accepted.IdempotencyKey);
        Assert.Equal(alarmId, (string?)JsonNode.Parse(accepted.Body)!["alarm"]!["id"]);
        Assert.DoesNotContain(_api.Bodies, b => b.Contains(WebhookSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RuleTesterEvaluatesARawMailShowsWhichRuleMatchedAndStoresNothing()
    {
        var tenant = await CreateTenantAsync();
        var mailboxId = await CreateMailboxAsync(tenant);
        await _api.PutAsync($"/api/tenants/{tenant}/alarm-settings", new
        {
            allowedSenders = new[] { "alarmierung@ils-musterland.example" },
            keywordSource = "Label",
            rules = new[] { new { name = "Hausnummer", pattern = @"(?<Hausnummer>\d+)\s*$", source = "Subject" } },
        });

        var raw = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.CorpusMail, "11-xml-incident-attachment.eml"));
        var result = await PostRawAsync($"/api/tenants/{tenant}/mailboxes/{mailboxId}/evaluate", raw, "message/rfc822");
        var forwarded = await PostRawAsync(
            $"/api/tenants/{tenant}/mailboxes/{mailboxId}/evaluate", await File.ReadAllBytesAsync(Path.Combine(RepoPaths.CorpusMail, "08-forwarded-outlook-rule.eml")), "message/rfc822");
        var alarms = await _api.GetAsync($"/api/tenants/{tenant}/alarms");

        Assert.Equal(200, result.Status);
        var body = result.Body!;
        Assert.True((bool)body["isAlarm"]!);
        Assert.Equal("THL 1 Ölspur", (string?)body["keyword"]);
        Assert.Equal("2026-113520", (string?)body["incidentNumber"]);
        Assert.Equal("xml:einsatz.xml", (string?)body["fieldSources"]!["keyword"]);
        Assert.Equal("xml:einsatz.xml", (string?)body["fieldSources"]!["Straße"]);
        Assert.Equal(49.40111, (double)body["position"]!["latitude"]!);
        Assert.Equal("alarmierung@ils-musterland.example", (string?)body["matchedSender"]);
        Assert.Equal("New", (string?)body["alarm"]!["status"]);
        Assert.Equal("alm-preview", (string?)body["alarm"]!["id"]);
        Assert.True((bool)forwarded.Body!["isAlarm"]!);
        Assert.Equal("alarmierung@ils-musterland.example", (string?)forwarded.Body["originalFrom"]);
        Assert.Empty(alarms.Body!.AsArray());
    }

    [Fact]
    public async Task RuleTesterReportsACatastrophicPatternAsTimedOutAndStillAnswers()
    {
        var tenant = await CreateTenantAsync();
        var mailboxId = await CreateMailboxAsync(tenant);
        await _api.PutAsync($"/api/tenants/{tenant}/mailboxes/{mailboxId}/alarm-settings", new
        {
            rules = new[] { new { name = "Katastrophe", pattern = "(?<x>(a|aa)+)$" } },
        });

        var started = DateTime.UtcNow;
        var result = await PostRawAsync(
            $"/api/tenants/{tenant}/mailboxes/{mailboxId}/evaluate?subject=B1%20Test&from=alarm%40ils.example",
            Encoding.UTF8.GetBytes("Einsatznummer: 2026-7\n" + new string('a', 60) + "!"),
            "text/plain; charset=utf-8");

        Assert.Equal(200, result.Status);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        var error = Assert.Single(result.Body!["ruleErrors"]!.AsArray())!;
        Assert.Equal("Katastrophe", (string?)error["rule"]);
        Assert.Equal("timeout", (string?)error["code"]);
        Assert.Equal("2026-7", (string?)result.Body["incidentNumber"]);
        Assert.Equal("B1 Test", (string?)result.Body["keyword"]);
    }

    [Fact]
    public async Task InvalidSettingsAreRefusedFieldByFieldAndChangeNothing()
    {
        var tenant = await CreateTenantAsync();

        var refused = await _api.PutAsync($"/api/tenants/{tenant}/alarm-settings", new
        {
            allowedSenders = new[] { "kein absender" },
            rules = new[] { new { name = "Kaputt", pattern = "(?<x>[" } },
            incidentMergeWindowMinutes = -1,
        });
        var unknown = await _api.SendAsync(HttpMethod.Put, $"/api/tenants/{tenant}/alarm-settings", "{\"testmodus\":true}");
        var current = await _api.GetAsync($"/api/tenants/{tenant}/alarm-settings");

        Assert.Equal(400, refused.Status);
        Assert.Equal(["allowedSenders[0]", "incidentMergeWindowMinutes", "rules[0].pattern"], refused.ErrorFields);
        Assert.Equal(400, unknown.Status);
        Assert.Equal(["testmodus"], unknown.ErrorFields);
        Assert.Empty(current.Body!["allowedSenders"]!.AsArray());
        Assert.Equal(30, (int)current.Body["incidentMergeWindowMinutes"]!);
        Assert.Equal("Auto", (string?)current.Body["keywordSource"]);
    }

    [Fact]
    public async Task MailboxOverrideInheritsUnsetValuesAndCanBeRemoved()
    {
        var tenant = await CreateTenantAsync();
        var mailboxId = await CreateMailboxAsync(tenant);
        await _api.PutAsync($"/api/tenants/{tenant}/alarm-settings", new { allowedSenders = new[] { "ils-musterland.example" } });
        var path = $"/api/tenants/{tenant}/mailboxes/{mailboxId}/alarm-settings";

        var set = await _api.PutAsync(path, new { testMode = true });
        var removed = await _api.SendAsync(HttpMethod.Delete, path);
        var otherTenant = await _api.GetAsync($"/api/tenants/{tenant}/mailboxes/mbx-nope/alarm-settings");

        Assert.True((bool)set.Body!["override"]!["testMode"]!);
        Assert.True((bool)set.Body["effective"]!["testMode"]!);
        Assert.Equal("ils-musterland.example", (string?)set.Body["effective"]!["allowedSenders"]![0]);
        Assert.Null(removed.Body!["override"]);
        Assert.False((bool)removed.Body["effective"]!["testMode"]!);
        Assert.Equal(404, otherTenant.Status);
        Assert.Equal("mailboxId", (string?)otherTenant.Body!["field"]);
    }

    [Fact]
    public async Task WebhookSecretIsWriteOnlyAndBadInputIsRefused()
    {
        var tenant = await CreateTenantAsync();
        var path = $"/api/tenants/{tenant}/webhooks";

        var created = await _api.PostAsync(path, new { name = "Pager", url = "https://pager.example/hook", secret = WebhookSecret });
        var id = (string)created.Body!["id"]!;
        var updated = await _api.PutAsync($"{path}/{id}", new { name = "Pager 2", url = "https://pager.example/hook2" });
        var listed = await _api.GetAsync(path);
        var bad = await _api.PostAsync(path, new { name = "X", url = "ftp://user:pw@x.example/", secret = "kurz" });
        var deleted = await _api.SendAsync(HttpMethod.Delete, $"{path}/{id}");
        var gone = await _api.GetAsync($"{path}/{id}");

        Assert.Equal(201, created.Status);
        Assert.Equal($"{path}/{id}", created.Location);
        Assert.StartsWith("whk-", id);
        Assert.True((bool)updated.Body!["hasSecret"]!);
        Assert.Equal("Pager 2", (string?)updated.Body["name"]);
        Assert.Equal([id], listed.Body!.AsArray().Select(w => (string?)w!["id"]));
        Assert.Equal(400, bad.Status);
        Assert.Equal(["secret", "url"], bad.ErrorFields);
        Assert.Equal(204, deleted.Status);
        Assert.Equal(404, gone.Status);
        Assert.Equal("webhookId", (string?)gone.Body!["field"]);
        Assert.DoesNotContain(_api.Bodies, b => b.Contains(WebhookSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WebhookSecretIsStoredOnlyEncrypted()
    {
        var tenant = await CreateTenantAsync();
        var created = await _api.PostAsync($"/api/tenants/{tenant}/webhooks", new { name = "Pager", url = "https://pager.example/hook", secret = WebhookSecret });
        Assert.Equal(201, created.Status);

        await StoredFiles.AssertNoneHoldsInClearTextAsync(cluster.Silo.DataDirectory, WebhookSecret, "the webhook secret");
    }

    [Fact]
    public async Task BadQueriesAndUnknownIdsGiveProblemsNamingTheField()
    {
        var tenant = await CreateTenantAsync();
        var mailboxId = await CreateMailboxAsync(tenant);

        var badQuery = await _api.GetAsync($"/api/tenants/{tenant}/alarms?status=bogus&since=gestern&limit=0");
        var unknownAlarm = await _api.GetAsync($"/api/tenants/{tenant}/alarms/alm-nope");
        var unknownTenant = await _api.GetAsync("/api/tenants/nope-nope/alarms");
        var wrongType = await PostRawAsync($"/api/tenants/{tenant}/mailboxes/{mailboxId}/evaluate", "{}"u8.ToArray(), "application/json");
        var empty = await PostRawAsync($"/api/tenants/{tenant}/mailboxes/{mailboxId}/evaluate", [], "text/plain");

        Assert.Equal(400, badQuery.Status);
        Assert.Equal(["limit", "since", "status"], badQuery.ErrorFields);
        Assert.Equal(404, unknownAlarm.Status);
        Assert.Equal("alarmId", (string?)unknownAlarm.Body!["field"]);
        Assert.Equal(404, unknownTenant.Status);
        Assert.Equal("tenantId", (string?)unknownTenant.Body!["field"]);
        Assert.Equal(415, wrongType.Status);
        Assert.Equal("application/problem+json", wrongType.MediaType);
        Assert.Equal(400, empty.Status);
        Assert.Equal("$", (string?)empty.Body!["field"]);
    }

    private async Task<ApiResponse> PostRawAsync(string path, byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await _http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? null : JsonNode.Parse(text), null);
    }

    private async Task<string> CreateTenantAsync()
    {
        var id = "al-" + Guid.NewGuid().ToString("N")[..10];
        var created = await _api.PostAsync("/api/tenants", new { id, name = "Feuerwehr Alarmtest" });
        Assert.Equal(201, created.Status);
        return id;
    }

    private async Task<string> CreateMailboxAsync(string tenant)
    {
        var user = await cluster.Imap.CreateUserAsync();
        var created = await _api.PostAsync($"/api/tenants/{tenant}/mailboxes", new
        {
            displayName = "Alarm", host = cluster.Imap.Host, port = cluster.Imap.ImapPort, security = "None", username = user, password = "geheim", useIdle = false,
        });
        return (string)created.Body!["id"]!;
    }
}
