namespace AlarmInbox.Grains.Interfaces.Inbound;

/// <summary>
/// The directory of inbound addresses (one activation, key <see cref="Key"/>): maps the token (local part) of every
/// active address to its tenant and address id, so that RCPT TO (RFC 5321 section 4.1.1.3) is checked with one call,
/// and lists each tenant's address ids.
/// </summary>
[Alias("alarminbox.IInboundAddressDirectoryGrain")]
public interface IInboundAddressDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The key of the one directory activation.</summary>
    public const string Key = "all";

    /// <summary>Returns the route of an active token (case-insensitive), or <see langword="null"/> when there is none. No side effects.</summary>
    [Alias("ResolveAsync")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<InboundRoute?> ResolveAsync(string token);

    /// <summary>Lists a tenant's address ids (active and revoked), oldest first. No side effects.</summary>
    [Alias("ListAsync")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync(string tenantId);

    /// <summary>
    /// Adds an address id to a tenant's list unless the tenant has <see cref="InboundLimits.MaxAddressesPerTenant"/>
    /// addresses already. Calls are handled one at a time, so concurrent creates cannot pass the limit together.
    /// </summary>
    /// <returns><see langword="true"/> when the id is in the list (added now or before); <see langword="false"/> when the limit is reached.</returns>
    [Alias("TryAddAddressAsync")]
    Task<bool> TryAddAddressAsync(string tenantId, string addressId);

    /// <summary>Forgets a tenant's list of address ids (the tenant is deleted; its addresses are deleted first); idempotent.</summary>
    [Alias("RemoveTenantAsync")]
    Task RemoveTenantAsync(string tenantId);

    /// <summary>Maps a token to a route (replacing <paramref name="previousToken"/>, if given, atomically).</summary>
    [Alias("SetTokenAsync")]
    Task SetTokenAsync(string token, InboundRoute route, string? previousToken);

    /// <summary>Removes a token (revocation); idempotent.</summary>
    [Alias("RemoveTokenAsync")]
    Task RemoveTokenAsync(string token);
}
