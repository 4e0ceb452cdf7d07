using AlarmInbox.Grains.Interfaces.Tenants;

namespace AlarmInbox.Grains.Tenants;

/// <summary>Keeps the ids of all tenants.</summary>
[GrainType("tenant-directory")]
public sealed class TenantDirectoryGrain(
    [PersistentState("tenant-directory", StorageNames.Default)] IPersistentState<TenantDirectoryState> state) : Grain, ITenantDirectoryGrain
{
    /// <inheritdoc />
    public async Task AddAsync(string tenantId)
    {
        if (!state.State.TenantIds.Contains(tenantId))
        {
            state.State.TenantIds.Add(tenantId);
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string tenantId)
    {
        if (state.State.TenantIds.Remove(tenantId))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.TenantIds.Order(StringComparer.Ordinal).ToList());
}
