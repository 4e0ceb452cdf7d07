namespace AlarmInbox.Grains.Interfaces.Security;

/// <summary>All API keys of the cluster (key <see cref="Key"/>), stored as hashes. The bootstrap operator key from configuration is not stored here.</summary>
[Alias("alarminbox.IApiKeyDirectoryGrain")]
public interface IApiKeyDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The only key of this grain.</summary>
    public const string Key = "directory";

    /// <summary>Stores a new key.</summary>
    /// <returns>False when a key with the same id exists already (the caller draws a new id).</returns>
    [Alias("AddAsync")]
    Task<bool> AddAsync(ApiKeyInfo key);

    /// <summary>Returns a key by id, revoked or not; null when unknown.</summary>
    [Alias("FindAsync")]
    Task<ApiKeyInfo?> FindAsync(string keyId);

    /// <summary>All keys, oldest first.</summary>
    [Alias("ListAsync")]
    Task<IReadOnlyList<ApiKeyInfo>> ListAsync();

    /// <summary>Revokes a key; idempotent (a second revocation keeps the first time).</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="at">When (UTC).</param>
    /// <returns>The revoked key, or null when unknown.</returns>
    [Alias("RevokeAsync")]
    Task<ApiKeyInfo?> RevokeAsync(string keyId, DateTimeOffset at);

    /// <summary>Revokes every key bound to a tenant (the tenant is deleted); they stay revoked if a tenant with the same id is created again. Idempotent.</summary>
    /// <param name="tenantId">The tenant id.</param>
    /// <param name="at">When (UTC).</param>
    /// <returns>How many keys were revoked by this call.</returns>
    [Alias("RevokeTenantAsync")]
    Task<int> RevokeTenantAsync(string tenantId, DateTimeOffset at);
}
