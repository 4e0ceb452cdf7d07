using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Silo.Hosting;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Silo.Mailboxes;

/// <summary>
/// At silo start, activates every enabled mailbox of every tenant, so that polling resumes after a restart without an
/// API call (in-memory reminders of the embedded mode do not survive a restart).
/// </summary>
public sealed partial class MailboxResumeStartupTask(IGrainFactory grains, StartupWorkRunner runner, ILogger<MailboxResumeStartupTask> logger) : IStartupTask
{
    /// <inheritdoc />
    /// <remarks>Starts the work in the background (<see cref="StartupWorkRunner"/>) and returns at once: a failure must not abort the silo's start.</remarks>
    public Task Execute(CancellationToken cancellationToken)
    {
        runner.Start("resume mailboxes", ResumeAsync);
        return Task.CompletedTask;
    }

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var tenants = await grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).ListAsync();
        foreach (var tenantId in tenants)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await grains.GetGrain<ITenantGrain>(tenantId).EnsureMailboxesRunningAsync();
        }

        LogResumed(logger, tenants.Count);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Resumed the mailboxes of {TenantCount} tenants")]
    private static partial void LogResumed(ILogger logger, int tenantCount);
}
