using AlarmInbox.Grains.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Cluster mode: keeps this silo's leases on the mails it holds in the <see cref="ClusterSpool"/> (renewed every third
/// of <see cref="SmtpOptions.SpoolLease"/>), and takes over the mails of silos that are gone: at once when the cluster
/// declares a silo dead (<c>kill -9</c>, a frozen or cut-off silo, a graceful stop), and every
/// <see cref="SmtpOptions.SpoolClaimInterval"/> the mails whose lease ran out (a silo that could not renew). Claimed
/// mails are queued for hand-off on this silo. On a graceful stop the silo lets its leases run out at once.
/// </summary>
public sealed partial class ClusterSpoolLeaseService(
    ClusterSpool spool,
    SpoolProcessor processor,
    IClusterMembershipService membership,
    TimeProvider time,
    IOptions<SmtpOptions> options,
    ILogger<ClusterSpoolLeaseService> logger) : BackgroundService
{
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await spool.ReleaseLeasesAsync(cancellationToken);
        }
        catch (Exception ex) when (StorageHealth.IsStorageFailure(ex) || ex is OperationCanceledException)
        {
            // The leases run out by themselves after SpoolLease.
            LogLeaseWorkFailed(logger, "release", ex.GetType().Name);
        }
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RenewLoopAsync(stoppingToken), ClaimLoopAsync(stoppingToken), WatchMembershipAsync(stoppingToken));

    private async Task RenewLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.Value.SpoolLease / 3, time, stoppingToken);
                try
                {
                    await spool.RenewLeasesAsync(stoppingToken);
                }
                catch (Exception ex) when (StorageHealth.IsStorageFailure(ex))
                {
                    // Should this go on past the lease, another silo takes the mails over; hand-off is idempotent.
                    LogLeaseWorkFailed(logger, "renew", ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await WaitForClaimTurnAsync(stoppingToken);
                try
                {
                    foreach (var entry in await spool.TakeOverAsync(stoppingToken))
                    {
                        processor.Enqueue(entry.Id, entry.TenantId);
                    }
                }
                catch (Exception ex) when (StorageHealth.IsStorageFailure(ex))
                {
                    LogLeaseWorkFailed(logger, "claim", ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task WatchMembershipAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                if (snapshot.Members.Values.Count(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress)) > 0)
                {
                    Volatile.Read(ref _wake).TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    /// <summary>Returns when <see cref="SmtpOptions.SpoolClaimInterval"/> has passed or a silo was declared dead, whichever is first.</summary>
    private async Task WaitForClaimTurnAsync(CancellationToken stoppingToken)
    {
        var wake = Volatile.Read(ref _wake).Task;
        using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var tick = Task.Delay(options.Value.SpoolClaimInterval, time, delay.Token);
        await Task.WhenAny(wake, tick);
        await delay.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
        if (wake.IsCompleted)
        {
            // A wake-up after this point completes the new source and makes the next turn start at once.
            Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }

    [LoggerMessage(EventId = 4303, Level = LogLevel.Warning, Message = "SMTP cluster spool: lease {Step} failed ({ExceptionType}); tried again later")]
    private static partial void LogLeaseWorkFailed(ILogger logger, string step, string exceptionType);
}
