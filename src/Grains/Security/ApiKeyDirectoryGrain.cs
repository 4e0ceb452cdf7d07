using AlarmInbox.Grains.Interfaces.Security;

namespace AlarmInbox.Grains.Security;

/// <summary>Keeps all API keys (hashes only) of the cluster.</summary>
[GrainType("api-key-directory")]
public sealed class ApiKeyDirectoryGrain(
    [PersistentState("api-key-directory", StorageNames.Default)] IPersistentState<ApiKeyDirectoryState> state) : Grain, IApiKeyDirectoryGrain
{
    /// <inheritdoc />
    public async Task<bool> AddAsync(ApiKeyInfo key)
    {
        if (state.State.Keys.Any(k => k.Id == key.Id))
        {
            return false;
        }

        state.State.Keys.Add(key);
        await state.WriteStateAsync();
        return true;
    }

    /// <inheritdoc />
    public Task<ApiKeyInfo?> FindAsync(string keyId) => Task.FromResult(state.State.Keys.Find(k => k.Id == keyId));

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyInfo>> ListAsync() => Task.FromResult<IReadOnlyList<ApiKeyInfo>>([.. state.State.Keys]);

    /// <inheritdoc />
    public async Task<ApiKeyInfo?> RevokeAsync(string keyId, DateTimeOffset at)
    {
        var index = state.State.Keys.FindIndex(k => k.Id == keyId);
        if (index < 0)
        {
            return null;
        }

        if (state.State.Keys[index].RevokedAt is null)
        {
            state.State.Keys[index] = state.State.Keys[index] with { RevokedAt = at };
            await state.WriteStateAsync();
        }

        return state.State.Keys[index];
    }

    /// <inheritdoc />
    public async Task<int> RevokeTenantAsync(string tenantId, DateTimeOffset at)
    {
        var revoked = 0;
        for (var i = 0; i < state.State.Keys.Count; i++)
        {
            if (state.State.Keys[i].TenantId == tenantId && state.State.Keys[i].RevokedAt is null)
            {
                state.State.Keys[i] = state.State.Keys[i] with { RevokedAt = at };
                revoked++;
            }
        }

        if (revoked > 0)
        {
            await state.WriteStateAsync();
        }

        return revoked;
    }
}
