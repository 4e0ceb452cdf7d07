using AlarmInbox.Grains.Interfaces.Tenants;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Silo.Mailboxes;

/// <summary>
/// Cluster mode: when a silo is declared dead (crashed, frozen, or shut down), the oldest-addressed active silo
/// re-activates every enabled mailbox, so the mailboxes that lived on the dead silo resume polling on a survivor right
/// after failure detection instead of at their next reminder tick (up to the watchdog period later). Idempotent: a
/// mailbox that is already active keeps its single timer.
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
        try
        {
            var tenants = await grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).ListAsync();
            foreach (var tenantId in tenants)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await grains.GetGrain<ITenantGrain>(tenantId).EnsureMailboxesRunningAsync();
            }

            LogResumed(logger, string.Join(", ", deadSilos), tenants.Count);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // The reminders still bring every mailbox back; this was only the fast path.
            LogResumeFailed(logger, ex.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Silo(s) {DeadSilos} declared dead: resumed the mailboxes of {TenantCount} tenants")]
    private static partial void LogResumed(ILogger logger, string deadSilos, int tenantCount);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Resuming mailboxes after a silo failure failed ({ExceptionType}); the reminders will bring them back")]
    private static partial void LogResumeFailed(ILogger logger, string exceptionType);
}
