using System.Text;
using System.Text.Json.Nodes;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Api;

[Collection(ClusterCollection.Name)]
public sealed class MailboxesApiTests(ClusterFixture cluster)
{
    private const string Secret = "Pw-7f3c91e0-Geheim!";
    private readonly ApiTestClient _api = new(cluster.Api.CreateClient());

    [Fact]
    public async Task MailboxCanBeCreatedListedReadUpdatedPolledAndDeleted()
    {
        var user = await cluster.Imap.CreateUserAsync(Secret);
        var tenant = await CreateTenantAsync();
        var path = $"/api/tenants/{tenant}/mailboxes";

        var created = await _api.PostAsync(path, Mailbox(user));
        var id = (string)created.Body!["id"]!;
        var listed = await _api.GetAsync(path);
        var read = await _api.GetAsync($"{path}/{id}");
        var updated = await _api.PutAsync($"{path}/{id}", Mailbox(user, password: null, displayName: "Alarm neu", pollIntervalSeconds: 30));

        // Saved settings are tried at once (a poll right after the update): the mail goes in after it, so this poll gets it.
        await Eventually.WaitForAsync(
            () => _api.GetAsync($"{path}/{id}"),
            r => (string?)r.Body!["status"]!["lastPollAt"] != (string?)updated.Body!["status"]!["lastPollAt"],
            TimeSpan.FromSeconds(10),
            "the poll right after the update");
        await cluster.Imap.AppendCorpusAsync(user, "04-multipart-alternative.eml", Secret);
        var poll = await _api.SendAsync(HttpMethod.Post, $"{path}/{id}/poll");
        var messages = await _api.GetAsync($"{path}/{id}/messages?limit=10");
        var paused = await _api.SendAsync(HttpMethod.Post, $"{path}/{id}/pause");
        var resumed = await _api.SendAsync(HttpMethod.Post, $"{path}/{id}/resume");
        var deleted = await _api.SendAsync(HttpMethod.Delete, $"{path}/{id}");
        var gone = await _api.GetAsync($"{path}/{id}");

        Assert.Equal(201, created.Status);
        Assert.Equal($"{path}/{id}", created.Location);
        Assert.StartsWith("mbx-", id);
        Assert.Equal(tenant, (string?)created.Body["tenantId"]);
        Assert.True((bool)created.Body["hasPassword"]!);
        Assert.Equal("Idle", (string?)created.Body["status"]!["state"]);
        Assert.Equal("INBOX", (string?)created.Body["folder"]);
        Assert.Equal(60, (int)created.Body["pollIntervalSeconds"]!);
        Assert.Equal([id], listed.Body!.AsArray().Select(m => (string?)m!["id"]));
        Assert.Equal(200, read.Status);
        Assert.Equal(cluster.Imap.ImapPort, (int)read.Body!["port"]!);
        Assert.Equal("None", (string?)read.Body["security"]);
        Assert.Equal(200, updated.Status);
        Assert.Equal("Alarm neu", (string?)updated.Body!["displayName"]);
        Assert.Equal(30, (int)updated.Body["pollIntervalSeconds"]!);
        Assert.True((bool)updated.Body["hasPassword"]!);
        Assert.Equal(200, poll.Status);
        Assert.True((bool)poll.Body!["succeeded"]!);
        Assert.Equal(1, (int)poll.Body["newMessages"]!);
        var message = Assert.Single(messages.Body!.AsArray());
        Assert.Equal("F2 Brand Scheune", (string?)message!["subject"]);
        Assert.Contains("Hofstelle Am Bach 2", (string?)message["text"]);
        Assert.Equal("Paused", (string?)paused.Body!["status"]!["state"]);
        Assert.Equal("Idle", (string?)resumed.Body!["status"]!["state"]);
        Assert.Equal(204, deleted.Status);
        Assert.Equal(404, gone.Status);
        Assert.Equal("mailboxId", (string?)gone.Body!["field"]);
        Assert.DoesNotContain(_api.Bodies, b => b.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(_api.Bodies, b => b.Contains("\"password\":", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> InvalidMailboxes => new()
    {
        { """{"displayName":"A","host":"127.0.0.1","port":0,"username":"u","password":"p"}""", "port" },
        { """{"displayName":"A","host":"127.0.0.1","port":70000,"username":"u","password":"p"}""", "port" },
        { """{"displayName":"A","host":"127.0.0.1","port":"993","username":"u","password":"p"}""", "port" },
        { """{"displayName":"A","host":"","username":"u","password":"p"}""", "host" },
        { """{"displayName":"A","host":"imap://mail.example.org","username":"u","password":"p"}""", "host" },
        { """{"displayName":"A","host":"mail.example.org:993","username":"u","password":"p"}""", "host" },
        { """{"displayName":"A","host":"mail.example.org","security":"Tls","username":"u","password":"p"}""", "security" },
        { """{"displayName":"A","host":"mail.example.org","security":1,"username":"u","password":"p"}""", "security" },
        { """{"displayName":"A","host":"mail.example.org","username":"u","password":"p","pollIntervalSeconds":5}""", "pollIntervalSeconds" },
        { """{"displayName":"A","host":"mail.example.org","username":"u"}""", "password" },
        { """{"displayName":"A","host":"mail.example.org","username":"","password":"p"}""", "username" },
        { """{"displayName":"","host":"mail.example.org","username":"u","password":"p"}""", "displayName" },
        { """{"displayName":"A","host":"mail.example.org","username":"u","password":"p","folder":""}""", "folder" },
        { """{"displayName":"A","host":"mail.example.org","username":"u","password":"p","backfill":5000}""", "backfill" },
        { """{"displayName":"A","host":"mail.example.org","username":"u","passwort":"p"}""", "passwort" },
        { """{"displayName":"A","host":"mail.example.org","username":"u","password":"p","enabled":"ja"}""", "enabled" },
        { """{"displayName":"A","host": """, "$" },
        { "", "$" },
    };

    [Theory]
    [MemberData(nameof(InvalidMailboxes))]
    public async Task InvalidMailboxIsRefusedNamingTheFieldAndNothingIsStored(string json, string field)
    {
        var tenant = await CreateTenantAsync();

        var response = await _api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenant}/mailboxes", json);
        var list = await _api.GetAsync($"/api/tenants/{tenant}/mailboxes");

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Contains(field, response.ErrorFields);
        Assert.DoesNotContain("AlarmInbox.", response.Body!.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(list.Body!.AsArray());
    }

    [Fact]
    public async Task InvalidUpdateChangesNothing()
    {
        var user = await cluster.Imap.CreateUserAsync(Secret);
        var tenant = await CreateTenantAsync();
        var created = await _api.PostAsync($"/api/tenants/{tenant}/mailboxes", Mailbox(user));
        var id = (string)created.Body!["id"]!;

        var response = await _api.PutAsync($"/api/tenants/{tenant}/mailboxes/{id}", Mailbox(user, port: 0));
        var read = await _api.GetAsync($"/api/tenants/{tenant}/mailboxes/{id}");

        Assert.Equal(400, response.Status);
        Assert.Equal(["port"], response.ErrorFields);
        Assert.Equal(cluster.Imap.ImapPort, (int)read.Body!["port"]!);
    }

    [Fact]
    public async Task MailboxOfUnknownTenantIsRefusedWith404()
    {
        var response = await _api.PostAsync("/api/tenants/ff-gibt-es-nicht/mailboxes", Mailbox("u@example.org"));

        Assert.Equal(404, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal("tenantId", (string?)response.Body!["field"]);
    }

    [Fact]
    public async Task MailboxOfAnotherTenantIsNotFound()
    {
        var user = await cluster.Imap.CreateUserAsync(Secret);
        var owner = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var id = (string)(await _api.PostAsync($"/api/tenants/{owner}/mailboxes", Mailbox(user))).Body!["id"]!;

        Assert.Equal(404, (await _api.GetAsync($"/api/tenants/{other}/mailboxes/{id}")).Status);
        Assert.Equal(404, (await _api.SendAsync(HttpMethod.Post, $"/api/tenants/{other}/mailboxes/{id}/poll")).Status);
        Assert.Equal(404, (await _api.SendAsync(HttpMethod.Delete, $"/api/tenants/{other}/mailboxes/{id}")).Status);
        Assert.Equal(200, (await _api.GetAsync($"/api/tenants/{owner}/mailboxes/{id}")).Status);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("501")]
    [InlineData("abc")]
    public async Task MessagesLimitOutOfRangeIsRefusedNamingLimit(string limit)
    {
        var user = await cluster.Imap.CreateUserAsync(Secret);
        var tenant = await CreateTenantAsync();
        var id = (string)(await _api.PostAsync($"/api/tenants/{tenant}/mailboxes", Mailbox(user))).Body!["id"]!;

        var response = await _api.GetAsync($"/api/tenants/{tenant}/mailboxes/{id}/messages?limit={limit}");

        Assert.Equal(400, response.Status);
        Assert.Equal(["limit"], response.ErrorFields);
    }

    [Fact]
    public async Task DeletingATenantWithMailboxesNeedsCascade()
    {
        var user = await cluster.Imap.CreateUserAsync(Secret);
        var tenant = await CreateTenantAsync();
        var id = (string)(await _api.PostAsync($"/api/tenants/{tenant}/mailboxes", Mailbox(user))).Body!["id"]!;

        var refused = await _api.SendAsync(HttpMethod.Delete, $"/api/tenants/{tenant}");
        var stillThere = await _api.GetAsync($"/api/tenants/{tenant}/mailboxes/{id}");
        var cascaded = await _api.SendAsync(HttpMethod.Delete, $"/api/tenants/{tenant}?cascade=true");
        var mailboxGone = await cluster.Silo.Grains.GetGrain<AlarmInbox.Grains.Interfaces.Mailboxes.IMailboxGrain>(id).GetAsync();

        Assert.Equal(409, refused.Status);
        Assert.Equal("cascade", (string?)refused.Body!["field"]);
        Assert.Equal(200, stillThere.Status);
        Assert.Equal(204, cascaded.Status);
        Assert.Null(mailboxGone);
        Assert.Equal(404, (await _api.GetAsync($"/api/tenants/{tenant}")).Status);
    }

    [Fact]
    public async Task PasswordIsStoredOnlyEncrypted()
    {
        var user = await cluster.Imap.CreateUserAsync(Secret);
        var tenant = await CreateTenantAsync();
        var created = await _api.PostAsync($"/api/tenants/{tenant}/mailboxes", Mailbox(user));
        Assert.Equal("Idle", (string?)created.Body!["status"]!["state"]);

        await StoredFiles.AssertNoneHoldsInClearTextAsync(cluster.Silo.DataDirectory, Secret, "the password");
    }

    [Fact]
    public async Task OpenApiDocumentAndReferencePageAreServed()
    {
        var document = await _api.GetAsync("/openapi/v1.json");
        using var http = cluster.Api.CreateClient();
        var page = await http.GetAsync("/docs");

        Assert.Equal(200, document.Status);
        Assert.NotNull(document.Body!["paths"]!["/api/tenants/{tenantId}/mailboxes"]);
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
    }

    private async Task<string> CreateTenantAsync()
    {
        var id = "ff-" + Guid.NewGuid().ToString("N")[..10];
        var response = await _api.PostAsync("/api/tenants", new { id, name = "Feuerwehr " + id });
        Assert.Equal(201, response.Status);
        return id;
    }

    private JsonObject Mailbox(string user, string? password = Secret, string displayName = "Alarm-Postfach", int pollIntervalSeconds = 60, int? port = null)
    {
        var body = new JsonObject
        {
            ["displayName"] = displayName,
            ["host"] = cluster.Imap.Host,
            ["port"] = port ?? cluster.Imap.ImapPort,
            ["security"] = "None",
            ["username"] = user,
            ["pollIntervalSeconds"] = pollIntervalSeconds,
            ["useIdle"] = false,
        };
        if (password is not null)
        {
            body["password"] = password;
        }

        return body;
    }
}
