namespace AlarmInbox.Grains.Interfaces.Tenants;

/// <summary>
/// The list of all tenant ids, one per cluster (key <see cref="Key"/>). Used to list tenants and to find every
/// mailbox at silo start-up.
/// </summary>
[Alias("alarminbox.ITenantDirectoryGrain")]
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The only key of this grain.</summary>
    public const string Key = "directory";

    /// <summary>Adds a tenant id; idempotent.</summary>
    [Alias("AddAsync")]
    Task AddAsync(string tenantId);

    /// <summary>Removes a tenant id; idempotent.</summary>
    [Alias("RemoveAsync")]
    Task RemoveAsync(string tenantId);

    /// <summary>All tenant ids, sorted ordinally.</summary>
    [Alias("ListAsync")]
    Task<IReadOnlyList<string>> ListAsync();
}
