using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Security;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Security;

/// <summary>
/// A tenant admin cannot grow what every silo carries: mailboxes per tenant and API keys per tenant are capped
/// (<c>AlarmInbox:Tenants</c>, small values here), checked in the grain that owns the list, so concurrent creates cannot
/// pass together; a key created and revoked in a loop does not grow the cluster's key directory, and a dropped revoked key
/// stays refused.
/// </summary>
public sealed class TenantLimitsTests : IAsyncLifetime
{
    private TestSilo _silo = null!;

    private IGrainFactory Grains => _silo.Grains;

    [Fact]
    public async Task ConcurrentMailboxCreatesStopAtTheTenantsLimit()
    {
        var tenantId = await CreateTenantAsync();
        var tenant = Grains.GetGrain<ITenantGrain>(tenantId);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => tenant.CreateMailboxAsync(Settings(i), backfill: 0)));

        Assert.Equal(3, results.Count(r => r.Succeeded));
        var refused = results.Where(r => !r.Succeeded).Select(r => r.Error!).ToList();
        Assert.Equal(3, refused.Count);
        Assert.All(refused, e => Assert.Equal((CommandErrorKind.Conflict, "tenantId"), (e.Kind, e.Field)));
        Assert.Equal(3, (await tenant.GetAsync())!.MailboxIds.Count);
        Assert.Equal(3, (await tenant.ListMailboxesAsync())!.Count);

        // Deleting one makes room for one.
        Assert.Null(await tenant.DeleteMailboxAsync(results.First(r => r.Succeeded).Value!.Config.Id));
        Assert.True((await tenant.CreateMailboxAsync(Settings(9), backfill: 0)).Succeeded);
    }

    [Fact]
    public async Task ValidApiKeysPerTenantAreCappedAndRevokedOnesDoNotPileUp()
    {
        var tenantId = await CreateTenantAsync();
        var directory = Grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key);
        var operatorKey = await directory.CreateAsync(Key(null, ApiKeyRole.Operator));
        Assert.True(operatorKey.Succeeded);

        var first = await directory.CreateAsync(Key(tenantId));
        var second = await directory.CreateAsync(Key(tenantId));
        var third = await directory.CreateAsync(Key(tenantId));
        Assert.True(first.Succeeded && second.Succeeded);
        Assert.Equal((CommandErrorKind.Conflict, "tenantId"), (third.Error?.Kind, third.Error?.Field));
        Assert.Equal(2, (await directory.ListAsync()).Count(k => k.TenantId == tenantId));

        // Create and revoke in a loop: the tenant's entries stay at MaxStoredApiKeys (4); the longest-revoked go first.
        var revokedFirst = first.Value!.Id;
        Assert.True((await directory.RevokeAsync(revokedFirst)).Succeeded);
        for (var i = 0; i < 10; i++)
        {
            var created = await directory.CreateAsync(Key(tenantId));
            Assert.True(created.Succeeded, created.Error?.Detail);
            Assert.True((await directory.RevokeAsync(created.Value!.Id)).Succeeded);
        }

        var all = await directory.ListAsync();
        Assert.Equal(4, all.Count(k => k.TenantId == tenantId));
        Assert.Single(all, k => k.TenantId == tenantId && k.RevokedAt is null);
        Assert.Null(await directory.FindAsync(revokedFirst));
        Assert.NotNull(await directory.FindAsync(second.Value!.Id));
        Assert.NotNull(await directory.FindAsync(operatorKey.Value!.Id));
    }

    /// <inheritdoc />
    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync(settings: new()
    {
        ["AlarmInbox:Tenants:MaxMailboxes"] = "3",
        ["AlarmInbox:Tenants:MaxActiveApiKeys"] = "2",
        ["AlarmInbox:Tenants:MaxStoredApiKeys"] = "4",
    });

    /// <inheritdoc />
    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private async Task<string> CreateTenantAsync()
    {
        var tenantId = "lim-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True((await Grains.GetGrain<ITenantGrain>(tenantId).CreateAsync("Feuerwehr Grenzhausen")).Succeeded);
        return tenantId;
    }

    private static NewApiKey Key(string? tenantId, ApiKeyRole role = ApiKeyRole.TenantAdmin) => new()
    {
        Id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..12],
        Name = "Schlüssel",
        Role = role,
        TenantId = tenantId,
        SecretHash = new byte[32],
        CreatedBy = "test",
    };

    private static MailboxSettings Settings(int i) => new()
    {
        DisplayName = $"Alarm {i}",
        Host = "mail.example.org",
        Port = 993,
        Security = MailboxSecurity.SslOnConnect,
        Username = $"alarm{i}@example.org",
        Password = "geheim",
        Enabled = false,
    };
}
