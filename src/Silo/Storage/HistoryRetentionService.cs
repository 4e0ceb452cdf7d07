using System.Data.Common;
using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Inbound;
using AlarmInbox.Grains.Interfaces.Ids;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Webhooks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Silo.Storage;

/// <summary>
/// The background retention step of the record tables: per tenant, deletes the alarms beyond
/// <see cref="AlarmOptions.StoredAlarms"/> (least recently evaluated first) or older than
/// <see cref="HistoryRetentionOptions.AlarmMaxAge"/>, their revisions and receipts, the mail keys and the recognition keys
/// beyond <see cref="AlarmOptions.ProcessedKeyWindow"/> each, and finished deliveries beyond <see cref="WebhookOptions.KeptDeliveries"/>
/// or older than <see cref="HistoryRetentionOptions.DeliveryMaxAge"/>, and audit entries older than
/// <see cref="HistoryRetentionOptions.AuditMaxAge"/>; per mailbox and inbound address, the stored messages beyond
/// <see cref="MailboxLimits.StoredMessages"/> and <see cref="InboundLimits.StoredMessages"/>; per inbound address, the UIDs of
/// spool ids beyond <see cref="InboundAddressGrain.SpoolIdWindow"/>. Pending deliveries and hand-offs are never
/// deleted. Deletes are idempotent, so every silo of a cluster may run it.
/// </summary>
public sealed partial class HistoryRetentionService(
    HistoryDatabase database,
    TimeProvider time,
    IOptions<HistoryRetentionOptions> options,
    IOptions<AlarmOptions> alarmOptions,
    IOptions<WebhookOptions> webhookOptions,
    ILogger<HistoryRetentionService> logger) : BackgroundService
{
    /// <summary>Applies retention to every tenant once; returns the number of rows deleted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var deleted = 0;
        await using var connection = await database.OpenAsync(cancellationToken);
        var tenants = new List<string>();
        await using (var command = HistoryDatabase.Command(
            connection,
            null,
            "SELECT tenant_id FROM ai_alarms UNION SELECT tenant_id FROM ai_alarm_keys UNION SELECT tenant_id FROM ai_webhook_deliveries"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                tenants.Add(reader.GetString(0));
            }
        }

        foreach (var tenantId in tenants)
        {
            cancellationToken.ThrowIfCancellationRequested();
            deleted += await ApplyAsync(connection, tenantId, now, cancellationToken);
        }

        var owners = new List<string>();
        await using (var command = HistoryDatabase.Command(connection, null, "SELECT DISTINCT owner_id FROM ai_messages"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                owners.Add(reader.GetString(0));
            }
        }

        foreach (var ownerId in owners)
        {
            var keep = EntityIds.HasPrefix(ownerId, EntityIds.InboundAddress) ? InboundLimits.StoredMessages : MailboxLimits.StoredMessages;
            await using var command = HistoryDatabase.Command(
                connection,
                null,
                """
                DELETE FROM ai_messages WHERE owner_id = @owner
                  AND ordinal <= (SELECT ordinal FROM ai_messages WHERE owner_id = @owner ORDER BY ordinal DESC LIMIT 1 OFFSET @keep)
                """,
                ("@owner", ownerId),
                ("@keep", keep));
            deleted += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var addresses = new List<string>();
        await using (var command = HistoryDatabase.Command(connection, null, "SELECT DISTINCT address_id FROM ai_inbound_uids"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                addresses.Add(reader.GetString(0));
            }
        }

        foreach (var addressId in addresses)
        {
            await using var command = HistoryDatabase.Command(
                connection,
                null,
                """
                DELETE FROM ai_inbound_uids WHERE address_id = @address
                  AND uid <= (SELECT uid FROM ai_inbound_uids WHERE address_id = @address ORDER BY uid DESC LIMIT 1 OFFSET @keep)
                """,
                ("@address", addressId),
                ("@keep", InboundAddressGrain.SpoolIdWindow));
            deleted += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var audit = HistoryDatabase.Command(
            connection, null, "DELETE FROM ai_audit WHERE at < @cutoff", ("@cutoff", HistoryDatabase.Ticks(now - options.Value.AuditMaxAge))))
        {
            deleted += await audit.ExecuteNonQueryAsync(cancellationToken);
        }

        return deleted;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.Value.FirstRunDelay, time, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var deleted = await RunOnceAsync(stoppingToken);
                    LogApplied(logger, deleted);
                }
                catch (DbException ex)
                {
                    LogFailed(logger, ex.GetType().Name);
                }

                await Task.Delay(options.Value.Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task<int> ApplyAsync(DbConnection connection, string tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var alarms = alarmOptions.Value;
        var statements = new List<(string Sql, (string, object?)[] Parameters)>
        {
            ("""
             DELETE FROM ai_alarms WHERE tenant_id = @tenant
               AND ordinal <= (SELECT ordinal FROM ai_alarms WHERE tenant_id = @tenant ORDER BY ordinal DESC LIMIT 1 OFFSET @keep)
             """,
             [("@tenant", tenantId), ("@keep", alarms.StoredAlarms)]),
            ("""
             DELETE FROM ai_alarm_keys WHERE tenant_id = @tenant
               AND ordinal <= (SELECT ordinal FROM ai_alarm_keys WHERE tenant_id = @tenant ORDER BY ordinal DESC LIMIT 1 OFFSET @keep)
             """,
             [("@tenant", tenantId), ("@keep", alarms.ProcessedKeyWindow)]),
            ("""
             DELETE FROM ai_alarm_recognition WHERE tenant_id = @tenant
               AND ordinal <= (SELECT ordinal FROM ai_alarm_recognition WHERE tenant_id = @tenant ORDER BY ordinal DESC LIMIT 1 OFFSET @keep)
             """,
             [("@tenant", tenantId), ("@keep", alarms.ProcessedKeyWindow)]),
            ("""
             DELETE FROM ai_webhook_deliveries WHERE tenant_id = @tenant AND state <> @pending
               AND created_at < (SELECT created_at FROM ai_webhook_deliveries WHERE tenant_id = @tenant AND state <> @pending
                                 ORDER BY created_at DESC LIMIT 1 OFFSET @keep)
             """,
             [("@tenant", tenantId), ("@pending", (int)WebhookDeliveryState.Pending), ("@keep", webhookOptions.Value.KeptDeliveries - 1)]),
        };
        if (options.Value.AlarmMaxAge is { } alarmAge)
        {
            statements.Add(("DELETE FROM ai_alarms WHERE tenant_id = @tenant AND evaluated_at < @cutoff", [("@tenant", tenantId), ("@cutoff", HistoryDatabase.Ticks(now - alarmAge))]));
        }

        if (options.Value.DeliveryMaxAge is { } deliveryAge)
        {
            statements.Add((
                "DELETE FROM ai_webhook_deliveries WHERE tenant_id = @tenant AND state <> @pending AND created_at < @cutoff",
                [("@tenant", tenantId), ("@pending", (int)WebhookDeliveryState.Pending), ("@cutoff", HistoryDatabase.Ticks(now - deliveryAge))]));
        }

        // Last: the revisions and receipts whose alarm is gone.
        foreach (var table in new[] { "ai_alarm_revisions", "ai_alarm_receipts" })
        {
            statements.Add((
                $"""
                DELETE FROM {table} WHERE tenant_id = @tenant
                  AND NOT EXISTS (SELECT 1 FROM ai_alarms a WHERE a.tenant_id = {table}.tenant_id AND a.alarm_id = {table}.alarm_id)
                """,
                [("@tenant", tenantId)]));
        }
        var deleted = 0;
        foreach (var (sql, parameters) in statements)
        {
            await using var command = HistoryDatabase.Command(connection, null, sql, parameters);
            deleted += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return deleted;
    }

    [LoggerMessage(EventId = 3210, Level = LogLevel.Information, Message = "History retention: {Deleted} rows deleted")]
    private static partial void LogApplied(ILogger logger, int deleted);

    [LoggerMessage(EventId = 3211, Level = LogLevel.Warning, Message = "History retention failed ({ExceptionType}); retried at the next interval")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
