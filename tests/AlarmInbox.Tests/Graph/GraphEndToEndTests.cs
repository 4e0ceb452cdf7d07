using System.Text.Json.Nodes;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Api;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Graph;

/// <summary>
/// Graph mailboxes through the real API, silo and MSAL against the scripted Graph server (loopback HTTPS, its certificate
/// pinned by the mailbox) and the local token endpoint.
/// </summary>
[Collection(GraphCollection.Name)]
public sealed class GraphEndToEndTests(GraphFixture fixture)
{
    [Fact]
    public async Task MailAddedOnTheServerBecomesOneAlarmAndNeitherARestartNorAnExpiredLinkFetchesOrAlarmsAnythingTwice()
    {
        await using var silo = await fixture.StartSiloAsync();
        var factory = new ApiFactory(silo.GatewayPort);
        var api = new ApiTestClient(factory.CreateClient());
        var tenant = await TenantAsync(api);
        var (mailbox, app) = NewMailbox();
        var created = await api.PostAsync($"/api/tenants/{tenant}/mailboxes", Body(mailbox, app));
        var id = (string)created.Body!["id"]!;
        var first = mailbox.Deliver(Mime("B3 Wohnhausbrand", "2026-700001"));

        var poll = await api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/mailboxes/{id}/poll");
        var alarmsBefore = await AlarmsAsync(api, tenant, id);

        await factory.DisposeAsync();
        await silo.RestartAsync();
        factory = new ApiFactory(silo.GatewayPort);
        api = new ApiTestClient(factory.CreateClient());
        var requestsBeforeRestartPoll = fixture.Graph.Requests.Count;
        var second = mailbox.Deliver(Mime("TH Ölspur", "2026-700002"));
        await api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/mailboxes/{id}/poll");
        await WaitForMessagesAsync(api, tenant, id, 2);
        var afterRestart = fixture.Graph.Requests.Skip(requestsBeforeRestartPoll).Where(r => r.Contains("/messages/delta", StringComparison.Ordinal)).ToList();

        mailbox.ExpireDeltaLinks();
        var third = mailbox.Deliver(Mime("F2 Kaminbrand", "2026-700003"));
        await api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/mailboxes/{id}/poll");
        var messages = await WaitForMessagesAsync(api, tenant, id, 3);
        var alarms = await AlarmsAsync(api, tenant, id);
        var details = await api.GetAsync($"/api/tenants/{tenant}/mailboxes/{id}");
        await factory.DisposeAsync();

        Assert.Equal(201, created.Status);
        Assert.Equal("Graph", (string)created.Body!["authType"]!);
        Assert.Equal("Idle", (string)created.Body!["status"]!["state"]!);
        Assert.Equal("https://graph.microsoft.com/.default", (string)created.Body!["office365"]!["scope"]!);
        Assert.DoesNotContain(app.Secret, string.Join("\n", api.Bodies), StringComparison.Ordinal);
        Assert.Equal(1, (int)poll.Body!["newMessages"]!);
        Assert.Single(alarmsBefore);
        Assert.NotEmpty(afterRestart);
        Assert.All(afterRestart, r => Assert.Contains("$deltatoken=", r, StringComparison.Ordinal));
        Assert.Equal(["F2 Kaminbrand", "TH Ölspur", "B3 Wohnhausbrand"], messages.Select(m => (string)m!["subject"]!));
        Assert.Equal(3, alarms.Count);
        Assert.Equal((1, 1, 1), (mailbox.Fetches(first), mailbox.Fetches(second), mailbox.Fetches(third)));
        Assert.Equal(3, (long)details.Body!["status"]!["messagesFetched"]!);
        Assert.Null(details.Body!["status"]!["lastError"]);
    }

    [Fact]
    public async Task AnExistingOffice365MailboxSwitchedToGraphStartsAtNowAndThenFetchesNewMail()
    {
        var api = new ApiTestClient(fixture.Api.CreateClient());
        var tenant = await TenantAsync(api);
        var (mailbox, app) = NewMailbox();
        var old = mailbox.Deliver(Mime("schon da", "2026-700010"), receivedAt: DateTimeOffset.UtcNow.AddHours(-2));
        var imap = await api.PostAsync($"/api/tenants/{tenant}/mailboxes", new
        {
            displayName = "Alarm (IMAP)", authType = "Office365", host = "127.0.0.1", port = FreePort.Next(), security = "None", username = mailbox.Address,
            useIdle = false, pollIntervalSeconds = 3600, office365 = new { tenant = app.TenantId, clientId = app.ClientId, clientSecret = app.Secret },
        });
        var id = (string)imap.Body!["id"]!;

        var switched = await api.PutAsync($"/api/tenants/{tenant}/mailboxes/{id}", Body(mailbox, app));
        var first = await api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/mailboxes/{id}/poll");
        var fresh = mailbox.Deliver(Mime("B3 Wohnhausbrand", "2026-700011"));
        var second = await api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/mailboxes/{id}/poll");

        Assert.Equal("Failing", (string)imap.Body!["status"]!["state"]!);
        Assert.Equal(200, switched.Status);
        Assert.Equal("Graph", (string)switched.Body!["authType"]!);
        Assert.True((bool)switched.Body!["office365"]!["hasClientSecret"]!);
        Assert.True((bool)first.Body!["succeeded"]!, first.Body.ToJsonString());
        Assert.Equal(0, (int)first.Body!["newMessages"]!);
        Assert.Equal(1, (int)second.Body!["newMessages"]!);
        Assert.NotEqual(0u, (uint)second.Body!["watermark"]!["uidValidity"]!);
        Assert.Equal((0, 1), (mailbox.Fetches(old), mailbox.Fetches(fresh)));
    }

    [Fact]
    public async Task ConnectionTestOfAStoredGraphMailboxPassesEveryGraphStep()
    {
        var api = new ApiTestClient(fixture.Api.CreateClient());
        var tenant = await TenantAsync(api);
        var (mailbox, app) = NewMailbox();
        var id = (string)(await api.PostAsync($"/api/tenants/{tenant}/mailboxes", Body(mailbox, app))).Body!["id"]!;

        var result = await api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/mailboxes/{id}/test");

        Assert.True((bool)result.Body!["succeeded"]!, result.Body.ToJsonString());
        Assert.Equal(
            ["validate:Passed", "token:Passed", "token_sanity:Passed", "mailbox:Passed", "folder:Passed", "delta:Passed"],
            result.Body["steps"]!.AsArray().Select(s => $"{s!["name"]}:{s["outcome"]}"));
        Assert.Contains("https://graph.microsoft.com", (string)result.Body["steps"]![2]!["message"]!, StringComparison.Ordinal);
        Assert.Contains("Exchange role assignment", (string)result.Body["steps"]![2]!["message"]!, StringComparison.Ordinal);
        Assert.Contains("Posteingang", (string)result.Body["steps"]![3]!["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-granted", "mailbox", MailboxErrorCodes.GraphAccessDenied, "New-ManagementRoleAssignment")]
    [InlineData("unknown-user", "mailbox", MailboxErrorCodes.GraphMailboxNotFound, "object id")]
    [InlineData("not-enabled", "mailbox", MailboxErrorCodes.GraphMailboxNotEnabled, "licence")]
    [InlineData("missing-folder", "folder", MailboxErrorCodes.GraphFolderNotFound, "Inbox/Alarm")]
    [InlineData("wrong-secret", "token", MailboxErrorCodes.Office365ClientSecretInvalid, "Secret ID")]
    [InlineData("imap-token", "token_sanity", MailboxErrorCodes.GraphTokenWrongAudience, "https://graph.microsoft.com/.default")]
    [InlineData("graph-refuses-token", "mailbox", MailboxErrorCodes.GraphTokenRejected, "docs/graph.md step 1")]
    public async Task EveryRefusalShowsItsCodeAndHintInTheConnectionTest(string situation, string step, string code, string hintPart)
    {
        var api = new ApiTestClient(fixture.Api.CreateClient());
        var tenant = await TenantAsync(api);
        var (mailbox, app) = NewMailbox();
        var username = mailbox.Address;
        var folder = "Inbox";
        var secret = app.Secret;
        switch (situation)
        {
            case "not-granted":
                mailbox.GrantedApps.Clear();
                break;
            case "unknown-user":
                username = "niemand@ff-graph.example";
                break;
            case "not-enabled":
                mailbox.RestEnabled = false;
                break;
            case "missing-folder":
                folder = "Inbox/Gibt es nicht";
                break;
            case "wrong-secret":
                secret = "Falsch~Geheimnis.123";
                break;
            case "imap-token":
                app.Audience = "https://outlook.office365.com";
                break;
            case "graph-refuses-token":
                // The token looks like a Graph token, but Graph does not accept it (an audience this Graph does not validate).
                app = fixture.Entra.Register(mailbox.Address, a =>
                {
                    a.Audience = "https://graph.microsoft.com/";
                    a.Roles = [];
                });
                mailbox.GrantedApps.Add(app.ClientId);
                secret = app.Secret;
                break;
        }

        var result = await api.PostAsync($"/api/tenants/{tenant}/mailboxes/test", Body(mailbox, app, username, folder, secret));
        var failed = result.Body!["steps"]!.AsArray().Single(s => (string)s!["outcome"]! == "Failed")!;

        Assert.Equal(200, result.Status);
        Assert.Equal(step, (string)failed["name"]!);
        Assert.Equal(code, (string)failed["code"]!);
        Assert.Contains(hintPart, (string)failed["hint"]!, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, string.Join("\n", api.Bodies), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThrottlingSetsTheErrorWithItsHintAndTheNextAttemptWaitsForRetryAfter()
    {
        var api = new ApiTestClient(fixture.Api.CreateClient());
        var tenant = await TenantAsync(api);
        var (mailbox, app) = NewMailbox();
        var id = (string)(await api.PostAsync($"/api/tenants/{tenant}/mailboxes", Body(mailbox, app))).Body!["id"]!;
        mailbox.FailNext(new FakeGraph.Fault(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", RetryAfterSeconds: 120));

        var poll = await api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/mailboxes/{id}/poll");
        var requests = fixture.Graph.Requests.Count;
        var again = await api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/mailboxes/{id}/poll");
        var details = await api.GetAsync($"/api/tenants/{tenant}/mailboxes/{id}");

        Assert.Equal(MailboxErrorCodes.GraphThrottled, (string)poll.Body!["error"]!["code"]!);
        Assert.Contains("4 concurrent requests", (string)poll.Body!["error"]!["hint"]!, StringComparison.Ordinal);
        Assert.Equal(MailboxErrorCodes.GraphThrottled, (string)again.Body!["error"]!["code"]!);
        Assert.Equal(requests, fixture.Graph.Requests.Count);
        var next = DateTimeOffset.Parse((string)details.Body!["status"]!["nextAttemptAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(next >= DateTimeOffset.UtcNow.AddSeconds(100), $"next attempt {next:O}");
    }

    [Fact]
    public async Task SetupScriptScopesTheApplicationMailReadRoleToExactlyThisMailbox()
    {
        var api = new ApiTestClient(fixture.Api.CreateClient());
        var tenant = await TenantAsync(api);
        var (mailbox, app) = NewMailbox();
        var id = (string)(await api.PostAsync($"/api/tenants/{tenant}/mailboxes", Body(mailbox, app))).Body!["id"]!;

        var script = (string)(await api.GetAsync($"/api/tenants/{tenant}/mailboxes/{id}/setup-script")).Body!["powerShell"]!;

        Assert.Contains($"New-ServicePrincipal -AppId {app.ClientId} -ObjectId $enterpriseAppObjectId", script, StringComparison.Ordinal);
        Assert.Contains($"Get-Mailbox -Identity \"{mailbox.Address}\"", script, StringComparison.Ordinal);
        Assert.Contains($"New-ManagementScope -Name \"AlarmInbox {id}\" -RecipientRestrictionFilter", script, StringComparison.Ordinal);
        Assert.Contains($"-Role \"Application Mail.Read\" -App {app.ClientId} -CustomResourceScope \"AlarmInbox {id}\"", script, StringComparison.Ordinal);
        Assert.Contains($"Test-ServicePrincipalAuthorization -Identity {app.ClientId}", script, StringComparison.Ordinal);
        Assert.DoesNotContain("Add-MailboxPermission", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphSettingsWithAPasswordOrAnImapScopeAreRefusedNamingTheFieldAndNothingIsStored()
    {
        var api = new ApiTestClient(fixture.Api.CreateClient());
        var tenant = await TenantAsync(api);
        var (mailbox, app) = NewMailbox();

        var withPassword = await api.PostAsync($"/api/tenants/{tenant}/mailboxes", new
        {
            displayName = "Alarm", authType = "Graph", username = mailbox.Address, password = "geheim",
            office365 = new { tenant = app.TenantId, clientId = app.ClientId, clientSecret = app.Secret },
        });
        var imapScope = await api.PostAsync($"/api/tenants/{tenant}/mailboxes", new
        {
            displayName = "Alarm", authType = "Graph", username = mailbox.Address,
            office365 = new { tenant = app.TenantId, clientId = app.ClientId, clientSecret = app.Secret, scope = "https://outlook.office365.com/.default" },
        });
        var list = await api.GetAsync($"/api/tenants/{tenant}/mailboxes");

        Assert.Equal(400, withPassword.Status);
        Assert.NotNull(withPassword.Body!["errors"]!["password"]);
        Assert.Equal(400, imapScope.Status);
        Assert.NotNull(imapScope.Body!["errors"]!["office365.scope"]);
        Assert.Empty(list.Body!.AsArray());
    }

    private (FakeGraph.Mailbox Mailbox, FakeEntra.App App) NewMailbox()
    {
        var address = $"alarm-{Guid.NewGuid():N}"[..18] + "@ff-graph.example";
        var app = fixture.RegisterGraphApp(address);
        return (fixture.Graph.AddMailbox(address, app.ClientId), app);
    }

    private object Body(FakeGraph.Mailbox mailbox, FakeEntra.App app, string? username = null, string folder = "Inbox", string? secret = null) => new
    {
        displayName = "Alarm-Postfach (Graph)",
        authType = "Graph",
        host = "127.0.0.1",
        port = fixture.Graph.Port,
        pinnedCertificateSha256 = fixture.Graph.CertificateSha256,
        username = username ?? mailbox.Address,
        folder,
        pollIntervalSeconds = 3600,
        office365 = new { tenant = app.TenantId, clientId = app.ClientId, clientSecret = secret ?? app.Secret },
    };

    private static async Task<string> TenantAsync(ApiTestClient api)
    {
        var id = "ff-graph-" + Guid.NewGuid().ToString("N")[..8];
        var created = await api.PostAsync("/api/tenants", new { id, name = "Feuerwehr Graph" });
        Assert.Equal(201, created.Status);
        return id;
    }

    private static async Task<JsonArray> AlarmsAsync(ApiTestClient api, string tenant, string mailboxId) =>
        (await api.GetAsync($"/api/tenants/{tenant}/alarms?mailbox={mailboxId}")).Body!.AsArray();

    private static async Task<JsonArray> WaitForMessagesAsync(ApiTestClient api, string tenant, string mailboxId, int count) =>
        await Eventually.WaitForAsync(
            async () => (await api.GetAsync($"/api/tenants/{tenant}/mailboxes/{mailboxId}/messages?limit=50")).Body!.AsArray(),
            m => m.Count >= count,
            TimeSpan.FromSeconds(30),
            $"{count} stored messages");

    private static byte[] Mime(string keyword, string incident)
    {
        using var stream = new MemoryStream();
        DovecotServer.Mail(keyword, $"Einsatznummer: {incident}\nStichwort: {keyword}\nOrt: Musterdorf").WriteTo(stream);
        return stream.ToArray();
    }
}
