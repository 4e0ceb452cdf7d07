using AlarmInbox.Grains.Health;
using AlarmInbox.Grains.Interfaces.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlarmInbox.Silo.Hosting;

/// <summary>
/// Ready when this silo is an active cluster member, a grain storage read through it succeeds within 5 s and none of
/// its storage components reports <c>storage_unavailable</c> (see <see cref="StorageHealth"/>).
/// </summary>
public sealed class SiloReadyHealthCheck(ISiloStatusOracle status, IGrainFactory grains, StorageHealth storage) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (status.CurrentStatus != SiloStatus.Active)
        {
            return HealthCheckResult.Unhealthy($"The silo is {status.CurrentStatus}, not Active.");
        }

        try
        {
            await grains.GetGrain<IHealthProbeGrain>(IHealthProbeGrain.Key).CheckStorageAsync().WaitAsync(Timeout, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{StorageProblem.UnavailableCode}: grain storage did not answer ({ex.GetType().Name}).");
        }

        var problems = storage.Problems;
        return problems.Count == 0
            ? HealthCheckResult.Healthy("Active; grain storage answers.")
            : HealthCheckResult.Unhealthy(string.Join("; ", problems.Select(p => p.Describe())));
    }
}
