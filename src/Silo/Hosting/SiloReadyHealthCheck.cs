using AlarmInbox.Grains.Interfaces.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlarmInbox.Silo.Hosting;

/// <summary>Ready when this silo is an active cluster member and a grain storage read through it succeeds within 5 s.</summary>
public sealed class SiloReadyHealthCheck(ISiloStatusOracle status, IGrainFactory grains) : IHealthCheck
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
            return HealthCheckResult.Healthy("Active; grain storage answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Grain storage did not answer: {ex.GetType().Name}.");
        }
    }
}
