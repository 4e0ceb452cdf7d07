using AlarmInbox.Grains.Interfaces.Security;

namespace AlarmInbox.Grains.Security;

/// <summary>Keeps the newest <see cref="IAuditLogGrain.Capacity"/> audit entries.</summary>
[GrainType("audit-log")]
public sealed class AuditLogGrain(
    [PersistentState("audit-log", StorageNames.Default)] IPersistentState<AuditLogState> state) : Grain, IAuditLogGrain
{
    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        state.State.Entries.AddRange(entries);
        var excess = state.State.Entries.Count - IAuditLogGrain.Capacity;
        if (excess > 0)
        {
            state.State.Entries.RemoveRange(0, excess);
        }

        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEntry>> ListAsync(int limit)
    {
        var count = Math.Clamp(limit, 1, IAuditLogGrain.Capacity);
        var entries = state.State.Entries;
        return Task.FromResult<IReadOnlyList<AuditEntry>>(entries.Skip(Math.Max(0, entries.Count - count)).Reverse().ToList());
    }
}
