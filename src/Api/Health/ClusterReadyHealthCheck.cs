using AlarmInbox.Grains.Interfaces.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlarmInbox.Api.Health;

/// <summary>Ready when a silo answers a grain call within 5 s and that grain's storage read succeeds.</summary>
public sealed class ClusterReadyHealthCheck(IClusterClient cluster) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var silo = await cluster.GetGrain<IHealthProbeGrain>(IHealthProbeGrain.Key).CheckStorageAsync().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy($"Silo {silo} answered; grain storage answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The exception type only: messages can carry connection details.
            return HealthCheckResult.Unhealthy($"No silo or no storage answered: {ex.GetType().Name}.");
        }
    }
}
