using AlarmInbox.Grains.Interfaces.Health;
using Orleans.Concurrency;

namespace AlarmInbox.Grains.Health;

/// <summary>Reads a (normally absent) storage row on each call, on the silo that received the call.</summary>
[GrainType("health-probe")]
[StatelessWorker]
public sealed class HealthProbeGrain(
    [PersistentState("health-probe", StorageNames.Default)] IPersistentState<HealthProbeState> state) : Grain, IHealthProbeGrain
{
    /// <inheritdoc />
    public async Task<string> CheckStorageAsync()
    {
        await state.ReadStateAsync();
        return RuntimeIdentity;
    }
}
