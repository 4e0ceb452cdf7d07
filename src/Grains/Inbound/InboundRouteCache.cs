using System.Collections.Concurrent;
using AlarmInbox.Grains.Interfaces.Inbound;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Inbound;

/// <summary>
/// The silo-local cache of token → route lookups for RCPT TO. Only hits are cached (a new address works at once);
/// entries expire after <see cref="InboundAddressOptions.CacheTtl"/>, and rotation and revocation remove theirs at once
/// on the silo that hosts the address grain.
/// </summary>
public sealed class InboundRouteCache(IGrainFactory grains, TimeProvider time, IOptions<InboundAddressOptions> options)
{
    private readonly ConcurrentDictionary<string, (InboundRoute Route, DateTimeOffset Expires)> _entries = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Returns the route of an active token, or <see langword="null"/>.</summary>
    public async Task<InboundRoute?> ResolveAsync(string token)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(token, out var entry) && entry.Expires > now)
        {
            return entry.Route;
        }

        var route = await grains.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key).ResolveAsync(token);
        if (route is null)
        {
            _entries.TryRemove(token, out _);
            return null;
        }

        _entries[token] = (route, now + options.Value.CacheTtl);
        return route;
    }

    /// <summary>Forgets a token (after rotation or revocation).</summary>
    public void Invalidate(string token) => _entries.TryRemove(token, out _);
}
