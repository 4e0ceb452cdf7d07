using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Security;
using AlarmInbox.Grains.Interfaces.Tenants;

namespace AlarmInbox.Grains.Security;

/// <summary>Keeps all API keys (hashes only) of the cluster.</summary>
[GrainType("api-key-directory")]
public sealed class ApiKeyDirectoryGrain(
    [PersistentState("api-key-directory", StorageNames.Default)] IPersistentState<ApiKeyDirectoryState> state,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<Tenants.TenantOptions> options) : Grain, IApiKeyDirectoryGrain
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
        var tenantId = role == ApiKeyRole.TenantAdmin ? key.TenantId : null;
        var limits = options.Value;
        if (tenantId is not null && state.State.Keys.Count(k => k.TenantId == tenantId && k.RevokedAt is null) >= limits.MaxActiveApiKeys)
        {
            return CommandError.Conflict(
                "tenantId", "Too many API keys.", $"A tenant may have at most {limits.MaxActiveApiKeys} valid API keys (AlarmInbox:Tenants:MaxActiveApiKeys); revoke one first.");
        }

        var info = new ApiKeyInfo(key.Id, key.Name!.Trim(), role, tenantId, key.SecretHash, time.GetUtcNow(), key.CreatedBy, null);
        var before = state.State.Keys.ToList();
        state.State.Keys.Add(info);
        DropLongestRevoked(tenantId, limits.MaxStoredApiKeys);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored: the key must not authenticate from memory either.
            state.State.Keys = before;
            throw;
        }

        return CommandResult.Ok(info);
    }

    /// <summary>
    /// Keeps at most <paramref name="max"/> keys of <paramref name="tenantId"/> by dropping its longest-revoked ones: the
    /// directory is one state for the whole cluster, so a tenant that creates and revokes keys in a loop must not grow it
    /// for everyone. A dropped key is unknown to <see cref="FindAsync"/> and so stays refused.
    /// </summary>
    private void DropLongestRevoked(string? tenantId, int max)
    {
        if (tenantId is null)
        {
            return;
        }

        var excess = state.State.Keys.Count(k => k.TenantId == tenantId) - max;
        if (excess <= 0)
        {
            return;
        }

        var dropped = state.State.Keys.Where(k => k.TenantId == tenantId && k.RevokedAt is not null)
            .OrderBy(k => k.RevokedAt).Take(excess).Select(k => k.Id).ToHashSet(StringComparer.Ordinal);
        state.State.Keys.RemoveAll(k => dropped.Contains(k.Id));
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
