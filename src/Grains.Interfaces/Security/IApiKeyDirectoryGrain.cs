using AlarmInbox.Grains.Interfaces.Commands;

namespace AlarmInbox.Grains.Interfaces.Security;

/// <summary>All API keys of the cluster (key <see cref="Key"/>), stored as hashes. The bootstrap operator key from configuration is not stored here.</summary>
[Alias("alarminbox.IApiKeyDirectoryGrain")]
public interface IApiKeyDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The only key of this grain.</summary>
    public const string Key = "directory";

    /// <summary>Checks and stores a new key (see <see cref="ApiKeyValidator"/>); its creation time is now.</summary>
    /// <returns>
    /// The stored key; or, with nothing stored, invalid input (fields <c>name</c>, <c>role</c>, <c>tenantId</c>) or a
    /// conflict (field <c>keyId</c>) when a key with the same id exists already (the caller draws a new key).
    /// </returns>
    [Alias("CreateAsync")]
    Task<CommandResult<ApiKeyInfo>> CreateAsync(NewApiKey key);

    /// <summary>Returns a key by id, revoked or not; null when unknown. Reads memory only, so it answers (every request's authentication) while a create waits for its tenant check.</summary>
    [Alias("FindAsync")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<ApiKeyInfo?> FindAsync(string keyId);

    /// <summary>All keys, oldest first. Reads memory only.</summary>
    [Alias("ListAsync")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<ApiKeyInfo>> ListAsync();

    /// <summary>Revokes a key now; idempotent (a second revocation keeps the first time).</summary>
    /// <param name="keyId">The key id.</param>
    /// <returns>The revoked key; or not found (field <c>keyId</c>) when there is no stored key with this id (the bootstrap key is not stored).</returns>
    [Alias("RevokeAsync")]
    Task<CommandResult<ApiKeyInfo>> RevokeAsync(string keyId);

    /// <summary>Revokes every key bound to a tenant (the tenant is deleted); they stay revoked if a tenant with the same id is created again. Idempotent.</summary>
    /// <param name="tenantId">The tenant id.</param>
    /// <param name="at">When (UTC).</param>
    /// <returns>How many keys were revoked by this call.</returns>
    [Alias("RevokeTenantAsync")]
    Task<int> RevokeTenantAsync(string tenantId, DateTimeOffset at);
}
