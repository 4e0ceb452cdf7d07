using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Office365;

/// <summary>
/// Office365 mailboxes through the real API, silo and MSAL, logging in with SASL XOAUTH2 to the real Dovecot, which
/// validates the locally issued JWTs. Plain IMAP (security None) on loopback: Dovecot allows XOAUTH2 there, and the
/// self-signed IMAPS certificate is (rightly) not trusted by production code.
/// </summary>
[Collection(Office365Collection.Name)]
public sealed class Office365EndToEndTests(Office365Fixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task MailboxCreatedThroughTheApiPollsFetchesNewMailAndReusesOneToken()
    {
        var (http, tenantId) = await TenantAsync();
        var user = await NewUserAsync();
        var app = fixture.Entra.Register(user);

        var created = await http.PostAsJsonAsync($"/api/tenants/{tenantId}/mailboxes", Body(user, app, tenant: $"https://login.microsoftonline.com/{app.TenantId}/oauth2/v2.0/token"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var mailbox = await created.Content.ReadFromJsonAsync<JsonObject>();
        var id = (string)mailbox!["id"]!;
        Assert.Equal("Idle", (string)mailbox["status"]!["state"]!);
        Assert.Equal("Office365", (string)mailbox["authType"]!);
        Assert.Equal(app.TenantId, (string)mailbox["office365"]!["tenant"]!);
        Assert.True((bool)mailbox["office365"]!["hasClientSecret"]!);
        Assert.DoesNotContain(app.Secret, mailbox.ToJsonString());

        var uid = await fixture.Imap.AppendCorpusAsync(user, "01-plain-utf8-keyvalue.eml");
        var durations = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            var poll = await (await http.PostAsync($"/api/tenants/{tenantId}/mailboxes/{id}/poll", null)).Content.ReadFromJsonAsync<JsonObject>();
            Assert.True((bool)poll!["succeeded"]!, poll.ToJsonString());
            Assert.Equal(i == 0 ? 1 : 0, (int)poll["newMessages"]!);
            durations.Add((double)poll["durationMs"]!);
        }

        var messages = await http.GetFromJsonAsync<JsonArray>($"/api/tenants/{tenantId}/mailboxes/{id}/messages");
        Assert.Equal(uid, (uint)Assert.Single(messages!)!["uid"]!);
        Assert.Equal("B3 Wohnhausbrand", (string)messages![0]!["subject"]!);
        Assert.Equal(1, fixture.Entra.Requests(app.ClientId));
        durations.Sort();
        output.WriteLine($"1 token request for creation + 6 polls; XOAUTH2 poll (connect, AUTHENTICATE, EXAMINE, SEARCH, LOGOUT): median {durations[3]:0.0} ms, max {durations[^1]:0.0} ms");
    }

    [Fact]
    public async Task ClientSecretExpiryIsReturnedKeptOnAnUpdateAndExportedAsDaysLeft()
    {
        var (http, tenantId) = await TenantAsync();
        var user = await NewUserAsync();
        var app = fixture.Entra.Register(user);
        var expires = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(10), TimeSpan.Zero);
        object Body(bool withSecret) => new
        {
            displayName = "Alarm " + user, host = fixture.Imap.Host, port = fixture.Imap.ImapPort, security = "None", username = user,
            authType = "office365", pollIntervalSeconds = 3600, useIdle = false,
            office365 = withSecret
                ? (object)new { tenant = app.TenantId, clientId = app.ClientId, clientSecret = app.Secret, clientSecretExpiresAt = expires }
                : new { tenant = app.TenantId, clientId = app.ClientId },
        };

        var created = await (await http.PostAsJsonAsync($"/api/tenants/{tenantId}/mailboxes", Body(withSecret: true))).Content.ReadFromJsonAsync<JsonObject>();
        var id = (string)created!["id"]!;
        var updated = await (await http.PutAsJsonAsync($"/api/tenants/{tenantId}/mailboxes/{id}", Body(withSecret: false))).Content.ReadFromJsonAsync<JsonObject>();
        var days = DaysLeft(id);

        Assert.Equal(expires, (DateTimeOffset)created["office365"]!["clientSecretExpiresAt"]!);
        Assert.Null(created["office365"]!["certificateExpiresAt"]);
        Assert.Equal(expires, (DateTimeOffset)updated!["office365"]!["clientSecretExpiresAt"]!);
        Assert.True((bool)updated["office365"]!["hasClientSecret"]!);
        Assert.NotNull(days);
        Assert.InRange(days.Value.Days, (expires - DateTimeOffset.UtcNow).TotalDays - 0.1, (expires - DateTimeOffset.UtcNow).TotalDays + 0.1);
        Assert.Equal("client_secret", days.Value.Credential);
    }

    [Fact]
    public async Task CachedTokenThatExpiredIsReplacedOnTheNextConnection()
    {
        var (http, tenantId) = await TenantAsync();
        var user = await NewUserAsync();

        // Entra says "valid for an hour" (MSAL caches it), but the JWT itself expires in 5 s (long enough for the first
        // contact on a busy machine): Dovecot will refuse it afterwards.
        var app = fixture.Entra.Register(user, a => a.JwtLifetime = TimeSpan.FromSeconds(5));
        var created = await (await http.PostAsJsonAsync($"/api/tenants/{tenantId}/mailboxes", Body(user, app))).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Idle", (string)created!["status"]!["state"]!);
        var issued = DateTimeOffset.UtcNow;
        app.JwtLifetime = TimeSpan.FromHours(1);

        await Eventually.WaitForAsync(() => Task.FromResult(DateTimeOffset.UtcNow), now => now > issued.AddSeconds(6), TimeSpan.FromSeconds(15), "the first token's exp to pass");
        var poll = await (await http.PostAsync($"/api/tenants/{tenantId}/mailboxes/{created["id"]}/poll", null)).Content.ReadFromJsonAsync<JsonObject>();

        Assert.True((bool)poll!["succeeded"]!, poll.ToJsonString());
        Assert.Equal(2, fixture.Entra.Requests(app.ClientId));
    }

    [Fact]
    public async Task ConnectionTestOfAStoredMailboxPassesEveryStep()
    {
        var (http, tenantId) = await TenantAsync();
        var user = await NewUserAsync();
        var app = fixture.Entra.Register(user);
        var created = await (await http.PostAsJsonAsync($"/api/tenants/{tenantId}/mailboxes", Body(user, app))).Content.ReadFromJsonAsync<JsonObject>();

        var watch = Stopwatch.StartNew();
        var result = await (await http.PostAsync($"/api/tenants/{tenantId}/mailboxes/{created!["id"]}/test", null)).Content.ReadFromJsonAsync<JsonObject>();
        output.WriteLine($"Connection test: {watch.Elapsed.TotalMilliseconds:0} ms; " + string.Join(", ", result!["steps"]!.AsArray().Select(s => $"{s!["name"]} {s["outcome"]} {s["durationMs"]} ms")));

        Assert.True((bool)result["succeeded"]!, result.ToJsonString());
        Assert.Equal(
            ["validate:Passed", "tcp:Passed", "tls:Skipped", "token:Passed", "token_sanity:Passed", "authenticate:Passed", "select:Passed", "search:Passed"],
            result["steps"]!.AsArray().Select(s => $"{s!["name"]}:{s["outcome"]}"));
        Assert.Contains("XOAUTH2", (string)result["steps"]![5]!["message"]!);
    }

    [Fact]
    public async Task ConnectionTestOfUnsavedSettingsReportsAWrongSecretAndStoresNothing()
    {
        var (http, tenantId) = await TenantAsync();
        var user = await NewUserAsync();
        var app = fixture.Entra.Register(user);

        var response = await http.PostAsJsonAsync($"/api/tenants/{tenantId}/mailboxes/test", Body(user, app, secret: "Wrong~SecretValue.123"));
        var result = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((bool)result!["succeeded"]!);
        var token = result["steps"]!.AsArray().Single(s => (string)s!["name"]! == "token")!;
        Assert.Equal("Failed", (string)token["outcome"]!);
        Assert.Equal(MailboxErrorCodes.Office365ClientSecretInvalid, (string)token["code"]!);
        Assert.Contains("AADSTS7000215", (string)token["message"]!);
        Assert.Contains("Secret ID", (string)token["hint"]!);
        Assert.DoesNotContain("Wrong~SecretValue", result.ToJsonString());
        Assert.Empty((await http.GetFromJsonAsync<JsonArray>($"/api/tenants/{tenantId}/mailboxes"))!);
    }

    [Fact]
    public async Task ConnectionTestFailsTlsAgainstAnUntrustedCertificate()
    {
        var (http, tenantId) = await TenantAsync();
        var user = await NewUserAsync();

        var result = await (await http.PostAsJsonAsync($"/api/tenants/{tenantId}/mailboxes/test", new
        {
            displayName = "TLS", host = "127.0.0.1", port = fixture.Imap.ImapsPort, security = "SslOnConnect", username = user, password = "geheim",
        })).Content.ReadFromJsonAsync<JsonObject>();

        var tls = result!["steps"]!.AsArray().Single(s => (string)s!["name"]! == "tls")!;
        Assert.Equal("Failed", (string)tls["outcome"]!);
        Assert.Equal(MailboxErrorCodes.TlsFailed, (string)tls["code"]!);
        Assert.Contains("RemoteCertificateChainErrors", (string)tls["message"]!);
    }

    [Fact]
    public async Task BadOffice365InputIsRefusedNamingEachFieldAndCreatesNothing()
    {
        var (http, tenantId) = await TenantAsync();

        var response = await http.PostAsJsonAsync($"/api/tenants/{tenantId}/mailboxes", new
        {
            displayName = "Alarm", username = "alarm@contoso.onmicrosoft.com", authType = "office365",
            office365 = new { tenant = "https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token", clientId = "admin@contoso.onmicrosoft.com", clientSecret = "3f2b6c1e-8d4a-4e57-9a0b-5c6d7e8f9a0b" },
        });
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = problem!["errors"]!.AsObject();
        Assert.Equal(["office365.clientId", "office365.clientSecret", "office365.tenant"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("placeholder", (string)errors["office365.tenant"]![0]!);
        Assert.Empty((await http.GetFromJsonAsync<JsonArray>($"/api/tenants/{tenantId}/mailboxes"))!);
    }

    [Fact]
    public async Task SetupScriptHasThisMailboxsValuesFilledIn()
    {
        var (http, tenantId) = await TenantAsync();
        var user = await NewUserAsync();
        var app = fixture.Entra.Register(user);
        var created = await (await http.PostAsJsonAsync($"/api/tenants/{tenantId}/mailboxes", Body(user, app))).Content.ReadFromJsonAsync<JsonObject>();

        var script = await http.GetFromJsonAsync<JsonObject>($"/api/tenants/{tenantId}/mailboxes/{created!["id"]}/setup-script");
        var ps1 = await http.GetStringAsync($"/api/tenants/{tenantId}/mailboxes/{created["id"]}/setup-script?format=ps1");

        var powerShell = (string)script!["powerShell"]!;
        Assert.Equal(powerShell, ps1);
        Assert.Contains("Install-Module -Name ExchangeOnlineManagement", powerShell);
        Assert.Contains("Connect-ExchangeOnline -Organization ff-test.example", powerShell);
        Assert.Contains($"New-ServicePrincipal -AppId {app.ClientId} -ObjectId $enterpriseAppObjectId", powerShell);
        Assert.Contains($"Get-ServicePrincipal -Identity {app.ClientId}", powerShell);
        Assert.Contains($"Add-MailboxPermission -Identity \"{user}\" -User $enterpriseAppObjectId -AccessRights FullAccess", powerShell);
        Assert.Equal(6, script["portalSteps"]!.AsArray().Count);
        Assert.DoesNotContain(app.Secret, script.ToJsonString());
    }

    private async Task<string> NewUserAsync()
    {
        var user = await fixture.Imap.CreateUserAsync();
        await fixture.Imap.WaitUntilUsersVisibleAsync();
        return user;
    }

    private async Task<(HttpClient Http, string TenantId)> TenantAsync()
    {
        var http = fixture.Api.CreateClient();
        var tenantId = "o365-" + Guid.NewGuid().ToString("N")[..10];
        var response = await http.PostAsJsonAsync("/api/tenants", new { id = tenantId, name = "Feuerwehr O365" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (http, tenantId);
    }

    private object Body(string user, FakeEntra.App app, string? tenant = null, string? secret = null) => new
    {
        displayName = "Alarm " + user,
        host = fixture.Imap.Host,
        port = fixture.Imap.ImapPort,
        security = "None",
        username = user,
        authType = "office365",
        pollIntervalSeconds = 3600,
        useIdle = false,
        office365 = new { tenant = tenant ?? app.TenantId, clientId = app.ClientId, clientSecret = secret ?? app.Secret },
    };

    /// <summary>The <c>alarminbox.office365.credential.expiry</c> gauge of the in-process silo for one mailbox.</summary>
    private static (double Days, string Credential)? DaysLeft(string mailboxId)
    {
        (double, string)? found = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "alarminbox.office365.credential.expiry")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var pairs = tags.ToArray();
            if (pairs.Any(t => t.Key == "mailbox" && (string?)t.Value == mailboxId))
            {
                found = (value, (string)pairs.Single(t => t.Key == "credential").Value!);
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return found;
    }
}
