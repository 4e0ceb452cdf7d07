using AlarmInbox.Grains.Interfaces.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlarmInbox.Api.Health;

/// <summary>
/// Ready when a silo answers a grain call within 5 s, that grain's storage read succeeds and the silo reports no
/// storage problem (<c>storage_unavailable</c>: its SMTP spool or its database failed a durable write and has not recovered).
/// </summary>
public sealed class ClusterReadyHealthCheck(IClusterClient cluster) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = cluster.GetGrain<IHealthProbeGrain>(IHealthProbeGrain.Key);
        string silo;
        IReadOnlyList<StorageProblem> problems;
        try
        {
            silo = await probe.CheckStorageAsync().WaitAsync(Timeout, cancellationToken);
            problems = await probe.GetStorageProblemsAsync().WaitAsync(Timeout, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The exception type only: messages can carry connection details.
            return HealthCheckResult.Unhealthy($"No silo or no storage answered: {ex.GetType().Name}.");
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy($"Silo {silo} answered; grain storage answers.")
            : HealthCheckResult.Unhealthy(string.Join("; ", problems.Select(p => p.Describe())));
    }
}
