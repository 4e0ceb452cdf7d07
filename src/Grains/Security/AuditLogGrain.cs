using AlarmInbox.Grains.Interfaces.Security;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Grains.Security;

/// <summary>
/// The audit log: entries are appended as records through <see cref="IAuditStore"/> (no state rewrite per request);
/// the grain state only holds what the release before kept inside it, moved into the store at activation.
/// </summary>
[GrainType("audit-log")]
public sealed partial class AuditLogGrain(
    [PersistentState("audit-log", StorageNames.Default)] IPersistentState<AuditLogState> state,
    IAuditStore store,
    ILogger<AuditLogGrain> logger) : Grain, IAuditLogGrain
{
    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Entries.Count == 0)
        {
            return;
        }

        // A crash between the append and the state write would append them once more on the next activation:
        // duplicated entries rather than lost ones.
        var count = state.State.Entries.Count;
        await store.AppendAsync(state.State.Entries);
        state.State.Entries = [];
        await state.WriteStateAsync();
        LogMigrated(logger, count);
    }

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<AuditEntry> entries) => store.AppendAsync(entries);

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEntry>> ListAsync(int limit) => store.ListNewestAsync(Math.Clamp(limit, 1, IAuditLogGrain.Capacity));

    [LoggerMessage(EventId = 3230, Level = LogLevel.Information, Message = "Moved {Count} audit entries from the grain state into the record table")]
    private static partial void LogMigrated(ILogger logger, int count);
}
