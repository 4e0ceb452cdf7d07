using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Security;
using AlarmInbox.Grains.Interfaces.Tenants;

namespace AlarmInbox.Grains.Security;

/// <summary>Keeps all API keys (hashes only) of the cluster.</summary>
[GrainType("api-key-directory")]
public sealed class ApiKeyDirectoryGrain(
    [PersistentState("api-key-directory", StorageNames.Default)] IPersistentState<ApiKeyDirectoryState> state,
    TimeProvider time) : Grain, IApiKeyDirectoryGrain
{
    /// <inheritdoc />
    public async Task<CommandResult<ApiKeyInfo>> CreateAsync(NewApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var errors = await ApiKeyValidator.ValidateAsync(key, async tenantId => await GrainFactory.GetGrain<ITenantGrain>(tenantId).GetAsync() is not null);
        if (CommandError.IfAny(errors) is { } invalid)
        {
            return invalid;
        }

        if (state.State.Keys.Exists(k => k.Id == key.Id))
        {
            return CommandError.Conflict("keyId", "API key id taken.", $"There is an API key '{key.Id}' already; draw a new key.");
        }

        var role = key.Role!.Value;
        var info = new ApiKeyInfo(key.Id, key.Name!.Trim(), role, role == ApiKeyRole.TenantAdmin ? key.TenantId : null, key.SecretHash, time.GetUtcNow(), key.CreatedBy, null);
        state.State.Keys.Add(info);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored: the key must not authenticate from memory either.
            state.State.Keys.Remove(info);
            throw;
        }

        return CommandResult.Ok(info);
    }

    /// <inheritdoc />
    public Task<ApiKeyInfo?> FindAsync(string keyId) => Task.FromResult(state.State.Keys.Find(k => k.Id == keyId));

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyInfo>> ListAsync() => Task.FromResult<IReadOnlyList<ApiKeyInfo>>([.. state.State.Keys]);

    /// <inheritdoc />
    public async Task<CommandResult<ApiKeyInfo>> RevokeAsync(string keyId)
    {
        var index = state.State.Keys.FindIndex(k => k.Id == keyId);
        if (index < 0)
        {
            return CommandError.NotFound("keyId", "API key not found.", $"There is no API key '{keyId}' (the bootstrap key is changed in configuration, not here).");
        }

        if (state.State.Keys[index].RevokedAt is null)
        {
            state.State.Keys[index] = state.State.Keys[index] with { RevokedAt = time.GetUtcNow() };
            await state.WriteStateAsync();
        }

        return CommandResult.Ok(state.State.Keys[index]);
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
