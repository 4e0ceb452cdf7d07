using AlarmInbox.Grains.Interfaces.Health;
using Orleans.Concurrency;

namespace AlarmInbox.Grains.Health;

/// <summary>Reads a (normally absent) storage row on each call, on the silo that received the call, and reports that silo's <see cref="StorageHealth"/>.</summary>
[GrainType("health-probe")]
[StatelessWorker]
public sealed class HealthProbeGrain(
    [PersistentState("health-probe", StorageNames.Default)] IPersistentState<HealthProbeState> state,
    StorageHealth health) : Grain, IHealthProbeGrain
{
    /// <inheritdoc />
    public async Task<string> CheckStorageAsync()
    {
        await state.ReadStateAsync();
        return RuntimeIdentity;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StorageProblem>> GetStorageProblemsAsync() => Task.FromResult(health.Problems);
}
