using AlarmInbox.Grains.Inbound;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlarmInbox.Tests.Inbound;

/// <summary><c>AlarmInbox:Smtp:CacheMaxEntries</c> bounds the silo's route cache (a silo of its own, real directory grain).</summary>
public sealed class InboundRouteCacheTests
{
    [Fact]
    public async Task TheRouteCacheHoldsAtMostCacheMaxEntriesRoutesAndStillResolvesEveryAddress()
    {
        await using var silo = await TestSilo.StartAsync(settings: new()
        {
            ["AlarmInbox:Smtp:CacheMaxEntries"] = "2",
            ["AlarmInbox:Smtp:CacheTtl"] = "01:00:00",
        });
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        var addresses = new List<(string Token, InboundRoute Route)>();
        for (var i = 0; i < 5; i++)
        {
            var addressId = "inb-" + Guid.NewGuid().ToString("N")[..12];
            var info = (await silo.Grains.GetGrain<IInboundAddressGrain>(addressId).CreateAsync(tenantId, null)).Value!;
            addresses.Add((info.Address[..info.Address.IndexOf('@', StringComparison.Ordinal)], new InboundRoute(tenantId, addressId)));
        }

        var cache = silo.Services.GetRequiredService<InboundRouteCache>();
        var resolved = new List<InboundRoute?>();
        var counts = new List<long>();
        foreach (var (token, _) in addresses.Concat(addresses))
        {
            resolved.Add(await cache.ResolveAsync(token));
            counts.Add(cache.Count);
        }

        // Twice each: the second round resolves through the directory grain what the cache had to drop.
        Assert.Equal(addresses.Concat(addresses).Select(a => a.Route), resolved);
        Assert.All(counts, count => Assert.InRange(count, 1, 2));
    }
}
