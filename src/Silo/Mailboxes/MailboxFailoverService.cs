using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Silo.Alarms;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Silo.Mailboxes;

/// <summary>
/// Cluster mode: when a silo is declared dead (crashed, frozen, or shut down), the oldest-addressed active silo
/// re-activates, tenant by tenant, every enabled mailbox, the alarm hand-offs and the webhook outbox, so that what lived
/// on the dead silo (polling, a delivery's waiting retry or an attempt cut off with it) goes on on a survivor right after
/// failure detection instead of at the next reminder tick (up to the watchdog periods later). Idempotent: a mailbox that
/// is already active keeps its single timer, an outbox that is running starts nothing twice.
/// </summary>
public sealed partial class MailboxFailoverService(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IGrainFactory grains,
    ILogger<MailboxFailoverService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        var first = true;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var newlyDead = snapshot.Members.Values
                    .Where(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress))
                    .Select(m => m.SiloAddress)
                    .ToList();

                // Silos that were already dead when this silo joined are the start-up task's business.
                if (first || newlyDead.Count == 0)
                {
                    first = false;
                    continue;
                }

                var leader = snapshot.Members.Values
                    .Where(m => m.Status == SiloStatus.Active)
                    .Select(m => m.SiloAddress)
                    .OrderBy(a => a.ToParsableString(), StringComparer.Ordinal)
                    .FirstOrDefault();
                if (leader is null || !leader.Equals(localSilo.SiloAddress))
                {
                    continue;
                }

                await ResumeAllAsync(newlyDead, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task ResumeAllAsync(List<SiloAddress> deadSilos, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> tenants;
        try
        {
            tenants = await grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).ListAsync();
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // The reminders still bring every mailbox and outbox back; this was only the fast path.
            LogResumeFailed(logger, "(all)", ex.GetType().Name);
            return;
        }

        var failed = 0;
        foreach (var tenantId in tenants)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // The mailboxes poll again; alarms stored but not yet queued are handed to the outbox, and the outbox (its
                // waiting retries, an attempt cut off with the dead silo) goes on without waiting for its reminder.
                await grains.GetGrain<ITenantGrain>(tenantId).EnsureMailboxesRunningAsync();
                await AlarmDeliveryResumeStartupTask.ResumeTenantAsync(grains, tenantId);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                // One tenant's grains unreachable must not keep the others waiting; its reminders bring it back.
                failed++;
                LogResumeFailed(logger, tenantId, ex.GetType().Name);
            }
        }

        LogResumed(logger, string.Join(", ", deadSilos), tenants.Count - failed, failed);
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Silo(s) {DeadSilos} declared dead: resumed the mailboxes, alarm hand-offs and webhook deliveries of {TenantCount} tenants ({FailedCount} failed)")]
    private static partial void LogResumed(ILogger logger, string deadSilos, int tenantCount, int failedCount);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Resuming tenant {TenantId} after a silo failure failed ({ExceptionType}); its reminders will bring it back")]
    private static partial void LogResumeFailed(ILogger logger, string tenantId, string exceptionType);
}
