using AlarmInbox.Grains.Interfaces.Inbound;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Inbound;

/// <summary>
/// The silo-local cache of token → route lookups for RCPT TO, on a <see cref="MemoryCache"/> of its own bounded to
/// <see cref="InboundAddressOptions.CacheMaxEntries"/> entries (a flood of RCPT TO with made-up tokens cannot grow it:
/// only hits are cached, so a new address works at once). Entries expire after <see cref="InboundAddressOptions.CacheTtl"/>
/// (measured with the injected <see cref="TimeProvider"/>); rotation and revocation remove theirs at once on the silo that
/// hosts the address grain. Thread-safe; one instance per silo.
/// </summary>
public sealed class InboundRouteCache : IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly MemoryCache _entries;

    /// <summary>Creates the cache.</summary>
    /// <exception cref="OptionsValidationException">A setting is out of range (the message names the key).</exception>
    public InboundRouteCache(IGrainFactory grains, TimeProvider time, IOptions<InboundAddressOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        if (settings.CacheMaxEntries < 1 || settings.CacheTtl < TimeSpan.Zero)
        {
            throw new OptionsValidationException(
                InboundAddressOptions.SectionName, typeof(InboundAddressOptions), ["AlarmInbox:Smtp:CacheMaxEntries must be at least 1 and AlarmInbox:Smtp:CacheTtl must not be negative."]);
        }

        _grains = grains;
        _time = time;
        _ttl = settings.CacheTtl;
        _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.CacheMaxEntries });
    }

    /// <summary>How many routes are cached now (at most <see cref="InboundAddressOptions.CacheMaxEntries"/>).</summary>
    public long Count => _entries.Count;

    /// <summary>Returns the route of an active token, or <see langword="null"/>.</summary>
    public async Task<InboundRoute?> ResolveAsync(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var key = token.ToLowerInvariant();
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(key, out Entry? entry) && entry!.Expires > now)
        {
            return entry.Route;
        }

        var route = await _grains.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key).ResolveAsync(token);
        if (route is null)
        {
            _entries.Remove(key);
            return null;
        }

        // Size 1 per entry: the limit counts entries. The cache's own expiry only frees memory; validity is Expires.
        _entries.Set(key, new Entry(route, now + _ttl), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _ttl + TimeSpan.FromSeconds(1) });
        return route;
    }

    /// <summary>Forgets a token (after rotation or revocation).</summary>
    public void Invalidate(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        _entries.Remove(token.ToLowerInvariant());
    }

    /// <inheritdoc />
    public void Dispose() => _entries.Dispose();

    private sealed record Entry(InboundRoute Route, DateTimeOffset Expires);
}
