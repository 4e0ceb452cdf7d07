using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Silo.Hosting;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Silo.Alarms;

/// <summary>
/// At silo start, for every tenant: hands alarms that were stored but not yet queued to the outbox, and activates the
/// outbox so that pending deliveries resume without waiting for a new alarm.
/// </summary>
public sealed partial class AlarmDeliveryResumeStartupTask(IGrainFactory grains, StartupWorkRunner runner, ILogger<AlarmDeliveryResumeStartupTask> logger) : IStartupTask
{
    /// <inheritdoc />
    /// <remarks>Starts the work in the background (<see cref="StartupWorkRunner"/>) and returns at once: a failure must not abort the silo's start.</remarks>
    public Task Execute(CancellationToken cancellationToken)
    {
        runner.Start("resume alarm hand-offs and webhook deliveries", ResumeAsync);
        return Task.CompletedTask;
    }

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var tenants = await grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).ListAsync();
        foreach (var tenantId in tenants)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await ResumeTenantAsync(grains, tenantId);
        }

        LogResumed(logger, tenants.Count);
    }

    /// <summary>
    /// Hands the tenant's stored but not yet queued alarms to its outbox and activates the outbox, so that pending
    /// deliveries go on without waiting for a new alarm or the outbox's reminder. Idempotent. Used at silo start and, in
    /// cluster mode, when a silo is declared dead (<see cref="Mailboxes.MailboxFailoverService"/>).
    /// </summary>
    /// <exception cref="OrleansException">A grain of the tenant could not be reached.</exception>
    public static async Task ResumeTenantAsync(IGrainFactory grains, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(grains);
        await grains.GetGrain<ITenantAlarmsGrain>(tenantId).EnsureHandedOffAsync();
        await grains.GetGrain<IWebhookOutboxGrain>(tenantId).EnsureRunningAsync();
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Resumed alarm hand-offs and webhook deliveries of {TenantCount} tenants")]
    private static partial void LogResumed(ILogger logger, int tenantCount);
}
