using AlarmInbox.Grains.Interfaces.Inbound;

namespace AlarmInbox.Grains.Inbound;

/// <summary>The token → route directory of inbound addresses; see <see cref="IInboundAddressDirectoryGrain"/>.</summary>
[GrainType("inbound-directory")]
public sealed class InboundAddressDirectoryGrain(
    [PersistentState("inbound-directory", StorageNames.Default)] IPersistentState<InboundAddressDirectoryState> state) : Grain, IInboundAddressDirectoryGrain
{
    /// <inheritdoc />
    public Task<InboundRoute?> ResolveAsync(string token) =>
        Task.FromResult(state.State.Tokens.GetValueOrDefault(token.ToLowerInvariant()));

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(string tenantId) =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Tenants.TryGetValue(tenantId, out var ids) ? [.. ids] : []);

    /// <inheritdoc />
    public async Task<bool> TryAddAddressAsync(string tenantId, string addressId)
    {
        var ids = state.State.Tenants.GetValueOrDefault(tenantId) ?? [];
        if (ids.Contains(addressId))
        {
            return true;
        }

        if (ids.Count >= InboundLimits.MaxAddressesPerTenant)
        {
            return false;
        }

        ids.Add(addressId);
        state.State.Tenants[tenantId] = ids;
        var written = false;
        try
        {
            await state.WriteStateAsync();
            written = true;
        }
        finally
        {
            if (!written)
            {
                // Not stored: the slot is free again for the next attempt.
                ids.Remove(addressId);
            }
        }

        return true;
    }

    /// <inheritdoc />
    public async Task RemoveTenantAsync(string tenantId)
    {
        // Tokens that still route to the tenant (an address whose delete did not reach the directory) go too.
        var tokens = state.State.Tokens.Where(t => t.Value.TenantId == tenantId).Select(t => t.Key).ToList();
        foreach (var token in tokens)
        {
            state.State.Tokens.Remove(token);
        }

        if (state.State.Tenants.Remove(tenantId) || tokens.Count > 0)
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public async Task SetTokenAsync(string token, InboundRoute route, string? previousToken)
    {
        if (previousToken is not null)
        {
            state.State.Tokens.Remove(previousToken.ToLowerInvariant());
        }

        state.State.Tokens[token.ToLowerInvariant()] = route;
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task RemoveTokenAsync(string token)
    {
        if (state.State.Tokens.Remove(token.ToLowerInvariant()))
        {
            await state.WriteStateAsync();
        }
    }
}
