using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlarmInbox.Tests.Api;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Tests.Security;

/// <summary>
/// Dovecot, a silo and the API with every log line captured, and a scenario with distinctive secrets: tenants A and B,
/// each with a password mailbox and a webhook with a secret; tenant admin keys for A and B; a revoked key; and one alarm
/// of tenant A delivered signed to a webhook.
/// </summary>
public sealed class SecurityFixture : IAsyncLifetime
{
    /// <summary>The password of tenant A's mailbox (also the Dovecot user's password).</summary>
    public const string MailboxPasswordA = "PW-Zebrafink-7731-Geheim";

    /// <summary>The password of tenant B's mailbox.</summary>
    public const string MailboxPasswordB = "PW-Okapi-4402-Geheim";

    /// <summary>The webhook secret of tenant A.</summary>
    public const string WebhookSecretA = "WH-Quokka-5519-Secret-A";

    /// <summary>The webhook secret of tenant B.</summary>
    public const string WebhookSecretB = "WH-Axolotl-8826-Secret-B";

    /// <summary>Every log line of the silo and the API.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>The IMAP server.</summary>
    public DovecotServer Imap { get; } = new();

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; private set; } = null!;

    /// <summary>The API.</summary>
    public ApiFactory Api { get; private set; } = null!;

    /// <summary>The operator client (bootstrap key), keeping every response body.</summary>
    public ApiTestClient Operator { get; private set; } = null!;

    /// <summary>Tenant A's id.</summary>
    public string TenantA { get; } = "ff-a-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Tenant B's id.</summary>
    public string TenantB { get; } = "ff-b-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Tenant A's mailbox id.</summary>
    public string MailboxA { get; private set; } = "";

    /// <summary>Tenant B's mailbox id.</summary>
    public string MailboxB { get; private set; } = "";

    /// <summary>Tenant A's webhook id.</summary>
    public string WebhookA { get; private set; } = "";

    /// <summary>Tenant B's webhook id.</summary>
    public string WebhookB { get; private set; } = "";

    /// <summary>Tenant A's delivered alarm id.</summary>
    public string AlarmA { get; private set; } = "";

    /// <summary>A tenant admin key of tenant A.</summary>
    public string KeyA { get; private set; } = "";

    /// <summary>The id of <see cref="KeyA"/>.</summary>
    public string KeyIdA { get; private set; } = "";

    /// <summary>A tenant admin key of tenant B.</summary>
    public string KeyB { get; private set; } = "";

    /// <summary>A tenant admin key of tenant A, revoked.</summary>
    public string RevokedKey { get; private set; } = "";

    /// <summary>Every secret value of the scenario: passwords, webhook secrets, API keys (bootstrap included).</summary>
    public IReadOnlyList<string> Secrets => [MailboxPasswordA, MailboxPasswordB, WebhookSecretA, WebhookSecretB, ApiFactory.OperatorKey, KeyA, KeyB, RevokedKey];

    /// <summary>Tenant A's resource ids.</summary>
    public Ids Ids => new(TenantA, MailboxA, WebhookA, AlarmA);

    /// <summary>Tenant B's resource ids (with A's alarm id, which B must not reveal either).</summary>
    public Ids IdsB => new(TenantB, MailboxB, WebhookB, AlarmA);

    /// <summary>The webhook receiver of tenant A.</summary>
    public WebhookReceiver Receiver { get; } = new(WebhookSecretA);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var logging = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:AlarmInbox"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",

            // The capture wants everything; the console of the test run does not.
            ["Logging:Console:LogLevel:Default"] = "Warning",
        };
        await Imap.InitializeAsync();
        Silo = await TestSilo.StartAsync(settings: logging.ToDictionary(p => p.Key, p => (string?)p.Value), services: s => s.AddSingleton<ILoggerProvider>(Logs));
        Api = new ApiFactory(Silo.GatewayPort, logging, s => s.AddSingleton<ILoggerProvider>(Logs));
        Operator = new ApiTestClient(Api.CreateClient());

        (MailboxA, WebhookA) = await CreateTenantAsync(TenantA, MailboxPasswordA, WebhookSecretA, Receiver.Url);
        (MailboxB, WebhookB) = await CreateTenantAsync(TenantB, MailboxPasswordB, WebhookSecretB, "https://hooks.b.example/alarminbox");
        (KeyA, KeyIdA) = await CreateKeyAsync(TenantA);
        (KeyB, _) = await CreateKeyAsync(TenantB);
        var (revoked, revokedId) = await CreateKeyAsync(TenantA);
        RevokedKey = revoked;
        Expect(204, await Operator.SendAsync(HttpMethod.Delete, $"/api/keys/{revokedId}"));

        // One alarm of tenant A, delivered signed to its webhook: the secrets go through every path once.
        Expect(200, await Operator.PutAsync($"/api/tenants/{TenantA}/alarm-settings", new { allowedSenders = new[] { "ils-musterland.example" }, keywordSource = "Label" }));
        var user = (string)(await Operator.GetAsync($"/api/tenants/{TenantA}/mailboxes/{MailboxA}")).Body!["username"]!;
        await Imap.AppendCorpusAsync(user, "01-plain-utf8-keyvalue.eml", MailboxPasswordA);
        Expect(200, await Operator.SendAsync(HttpMethod.Post, $"/api/tenants/{TenantA}/mailboxes/{MailboxA}/poll"));
        var alarms = await Operator.GetAsync($"/api/tenants/{TenantA}/alarms");
        AlarmA = (string)alarms.Body!.AsArray().Single()!["id"]!;
        await Eventually.WaitForAsync(() => Task.FromResult(Receiver.Accepted.Count), n => n == 1, TimeSpan.FromSeconds(30), "the alarm to be delivered to the webhook");
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Api.DisposeAsync();
        await Silo.DisposeAsync();
        await Imap.DisposeAsync();
    }

    private static void Expect(int status, ApiResponse response)
    {
        if (response.Status != status)
        {
            throw new InvalidOperationException($"Scenario set-up: expected {status}, got {response}");
        }
    }

    private async Task<(string MailboxId, string WebhookId)> CreateTenantAsync(string tenant, string password, string webhookSecret, string webhookUrl)
    {
        Expect(201, await Operator.PostAsync("/api/tenants", new { id = tenant, name = "Feuerwehr " + tenant }));
        var user = await Imap.CreateUserAsync(password);
        var mailbox = await Operator.PostAsync($"/api/tenants/{tenant}/mailboxes", new
        {
            displayName = "Alarm", host = Imap.Host, port = Imap.ImapPort, security = "None", username = user, password, useIdle = false, pollIntervalSeconds = 3600,
        });
        Expect(201, mailbox);
        var webhook = await Operator.PostAsync($"/api/tenants/{tenant}/webhooks", new { name = "Alarmierung", url = webhookUrl, secret = webhookSecret });
        Expect(201, webhook);
        return ((string)mailbox.Body!["id"]!, (string)webhook.Body!["id"]!);
    }

    private async Task<(string Key, string Id)> CreateKeyAsync(string tenant)
    {
        var created = await Operator.PostAsync("/api/keys", new { name = "Admin " + tenant, role = "TenantAdmin", tenantId = tenant });
        Expect(201, created);
        return ((string)created.Body!["key"]!, (string)created.Body!["apiKey"]!["id"]!);
    }
}

/// <summary>Tests that share one <see cref="SecurityFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecurityFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "security";
}
