using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Ids;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Security;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Api;

/// <summary>
/// The grains own their rules (issue 15 item 4): called directly, without the API in front, a grain checks input and
/// ownership itself, answers a refusal as a result keyed by field, and changes nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainRulesTests(ClusterFixture cluster)
{
    private IGrainFactory Grains => cluster.Silo.Grains;

    [Fact]
    public async Task TenantGrainCalledWithABadNameAnswersTheFieldAndCreatesNothing()
    {
        var tenant = Grains.GetGrain<ITenantGrain>(NewTenantId());

        var result = await tenant.CreateAsync(" ");

        Assert.Equal(CommandErrorKind.Invalid, result.Error?.Kind);
        Assert.Equal(["name"], result.Error!.Errors.Keys);
        Assert.Null(result.Value);
        Assert.Null(await tenant.GetAsync());
    }

    [Fact]
    public async Task MailboxSettingsAreCheckedByTheGrainAndBadOnesChangeNothing()
    {
        var tenantId = await CreateTenantAsync();
        var tenant = Grains.GetGrain<ITenantGrain>(tenantId);

        var refused = await tenant.CreateMailboxAsync(Settings() with { Port = 0, PollIntervalSeconds = 5 }, backfill: 5000);
        var created = await tenant.CreateMailboxAsync(Settings(), backfill: 0);
        var mailboxId = created.Value!.Config.Id;
        var mailbox = Grains.GetGrain<IMailboxGrain>(mailboxId);
        var badUpdate = await mailbox.UpdateAsync(tenantId, Settings() with { Host = "imaps://mail.example.org:993", Password = null, AuthType = MailboxAuthType.Office365 });

        Assert.Equal(CommandErrorKind.Invalid, refused.Error?.Kind);
        Assert.Equal(["backfill", "pollIntervalSeconds", "port"], refused.Error!.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.True(created.Succeeded);
        Assert.Matches("^mbx-[a-z2-7]{16}$", mailboxId);
        Assert.Equal([mailboxId], (await tenant.GetAsync())!.MailboxIds);
        Assert.Equal(CommandErrorKind.Invalid, badUpdate.Error?.Kind);
        Assert.Contains("host", badUpdate.Error!.Errors.Keys);
        Assert.Contains("office365", badUpdate.Error.Errors.Keys);
        var unchanged = (await mailbox.GetAsync())!.Config;
        Assert.Equal("mail.example.org", unchanged.Host);
        Assert.Equal(MailboxAuthType.Password, unchanged.AuthType);
    }

    [Fact]
    public async Task AnotherTenantsMailboxIsNotFoundByTheMailboxGrainItself()
    {
        var owner = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var created = (await Grains.GetGrain<ITenantGrain>(owner).CreateMailboxAsync(Settings(), backfill: 0)).Value!;
        var mailbox = Grains.GetGrain<IMailboxGrain>(created.Config.Id);

        var update = await mailbox.UpdateAsync(other, Settings() with { DisplayName = "Übernommen" });
        var delete = await Grains.GetGrain<ITenantGrain>(other).DeleteMailboxAsync(created.Config.Id);
        var unknown = await Grains.GetGrain<IMailboxGrain>(EntityIds.New(EntityIds.Mailbox)).UpdateAsync(owner, Settings());

        Assert.Equal(CommandErrorKind.NotFound, update.Error?.Kind);
        Assert.Equal("mailboxId", update.Error!.Field);
        Assert.Equal(CommandErrorKind.NotFound, delete?.Kind);
        Assert.Equal("mailboxId", delete!.Field);
        Assert.Equal(CommandErrorKind.NotFound, unknown.Error?.Kind);
        Assert.Equal("Alarm", (await mailbox.GetAsync())!.Config.DisplayName);
    }

    [Fact]
    public async Task AnotherTenantsInboundAddressIsNotFoundByTheAddressGrainItself()
    {
        var owner = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var address = Grains.GetGrain<IInboundAddressGrain>(EntityIds.New(EntityIds.InboundAddress));
        var created = (await address.CreateAsync(owner, "Leitstelle")).Value!;

        var rotate = await address.RotateAsync(other);
        var revoke = await address.RevokeAsync(other);
        var tooLong = await Grains.GetGrain<IInboundAddressGrain>(EntityIds.New(EntityIds.InboundAddress)).CreateAsync(owner, new string('x', InboundLimits.MaxDescriptionLength + 1));

        Assert.Equal(CommandErrorKind.NotFound, rotate.Error?.Kind);
        Assert.Equal("addressId", rotate.Error!.Field);
        Assert.Equal(CommandErrorKind.NotFound, revoke.Error?.Kind);
        Assert.Equal(created, await address.GetAsync());
        Assert.Equal(["description"], tooLong.Error!.Errors.Keys);
        Assert.Equal([created.Id], await Grains.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key).ListAsync(owner));
    }

    [Fact]
    public async Task ConcurrentWebhookCreatesCannotPassTheLimitTogether()
    {
        var tenantId = await CreateTenantAsync();
        var outbox = Grains.GetGrain<IWebhookOutboxGrain>(tenantId);

        var results = await Task.WhenAll(Enumerable.Range(0, WebhookSettingsValidator.MaxWebhooks + 3).Select(i =>
            outbox.CreateWebhookAsync(new WebhookSettings { Name = $"W{i}", Url = "https://pager.example/hook", Secret = new string('s', 16) })));
        var first = results.First(r => r.Succeeded).Value!;
        var invalid = await outbox.UpdateWebhookAsync(first.Id, new WebhookSettings { Name = "", Url = "ftp://x.example/" });

        Assert.Equal(WebhookSettingsValidator.MaxWebhooks, results.Count(r => r.Succeeded));
        Assert.All(results.Where(r => !r.Succeeded), r =>
        {
            Assert.Equal(CommandErrorKind.Conflict, r.Error!.Kind);
            Assert.Equal("tenantId", r.Error.Field);
        });
        Assert.Equal(WebhookSettingsValidator.MaxWebhooks, (await outbox.ListWebhooksAsync()).Count);
        Assert.Equal(["name", "url"], invalid.Error!.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(first.Name, (await outbox.ListWebhooksAsync()).Single(w => w.Id == first.Id).Name);
    }

    [Fact]
    public async Task ApiKeyDirectoryChecksTheKeyAndStoresNothingBad()
    {
        var directory = Grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key);
        var before = (await directory.ListAsync()).Count;
        var id = Guid.NewGuid().ToString("N")[..12];

        var refused = await directory.CreateAsync(new NewApiKey { Id = id, Name = "", Role = ApiKeyRole.TenantAdmin, TenantId = "gibt-es-nicht", SecretHash = new byte[32], CreatedBy = "test" });
        var noRole = await directory.CreateAsync(new NewApiKey { Id = id, Name = "Import", SecretHash = new byte[32], CreatedBy = "test" });

        Assert.Equal(["name", "tenantId"], refused.Error!.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["role"], noRole.Error!.Errors.Keys);
        Assert.Equal(before, (await directory.ListAsync()).Count);
        Assert.Null(await directory.FindAsync(id));
    }

    [Fact]
    public void IdsOfEarlierReleasesKeepTheirMeaning()
    {
        var legacyAddress = "inb-91d14d00ef67";
        var newAddress = EntityIds.New(EntityIds.InboundAddress);

        Assert.Equal(MailPathKind.Smtp, MailPath.ForSource(legacyAddress).Kind);
        Assert.Equal(MailPathKind.Smtp, MailPath.ForSource(newAddress).Kind);
        Assert.Equal(MailPathKind.Imap, MailPath.ForSource("mbx-sblyjmrldyb37pqz").Kind);
        Assert.Matches("^inb-[a-z2-7]{16}$", newAddress);
        Assert.False(EntityIds.HasPrefix("inb", EntityIds.InboundAddress));
        Assert.False(EntityIds.HasPrefix("inbox-1", EntityIds.InboundAddress));
    }

    private static string NewTenantId() => "gr-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<string> CreateTenantAsync()
    {
        var tenantId = NewTenantId();
        Assert.True((await Grains.GetGrain<ITenantGrain>(tenantId).CreateAsync("Feuerwehr Regeln")).Succeeded);
        return tenantId;
    }

    // Disabled: created without contacting a server, so these tests need none.
    private static MailboxSettings Settings() => new()
    {
        DisplayName = "Alarm",
        Host = "mail.example.org",
        Port = 993,
        Security = MailboxSecurity.SslOnConnect,
        Username = "alarm@example.org",
        Password = "geheim",
        Enabled = false,
    };
}
