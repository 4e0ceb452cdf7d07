using System.Data.Common;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Webhooks;

namespace AlarmInbox.Silo.Storage;

/// <summary><see cref="IWebhookDeliveryStore"/> on the table <c>ai_webhook_deliveries</c>, one row per delivery.</summary>
public sealed class SqlWebhookDeliveryStore(HistoryDatabase database) : IWebhookDeliveryStore
{
    private const string Columns =
        "webhook_id, alarm_id, revision, idempotency_key, event_name, body, state, attempts, created_at, last_attempt_at, next_attempt_at, delivered_at, last_status_code, last_error";

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxEntry>> ListPendingAsync(string tenantId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection,
            null,
            $"SELECT {Columns} FROM ai_webhook_deliveries WHERE tenant_id = @tenant AND state = @pending ORDER BY created_at, alarm_id, revision",
            ("@tenant", tenantId),
            ("@pending", (int)WebhookDeliveryState.Pending));
        return await ReadAsync(command);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxEntry>> AddNewRevisionsAsync(string tenantId, IReadOnlyList<OutboxEntry> entries)
    {
        var added = new List<OutboxEntry>();
        if (entries.Count == 0)
        {
            return added;
        }

        // Not flushed before the first attempt is sent: until it is, the alarm pipeline's flushed hand-off rows of these
        // revisions stand for them (a machine crash that undoes this commit makes the pipeline hand them off again, so a
        // delivery can be sent twice then, never lost). That is one disk flush less between evaluation and request.
        await using var connection = await database.OpenAsync();
        await database.CommitUnflushedAsync(connection, async transaction =>
        {
            added.Clear();
            foreach (var revision in entries.GroupBy(e => (e.AlarmId, e.Revision)))
            {
                await using (var exists = HistoryDatabase.Command(
                    connection,
                    transaction,
                    "SELECT COUNT(*) FROM ai_webhook_deliveries WHERE tenant_id = @tenant AND alarm_id = @alarm AND revision = @revision",
                    ("@tenant", tenantId),
                    ("@alarm", revision.Key.AlarmId),
                    ("@revision", revision.Key.Revision)))
                {
                    if (Convert.ToInt64(await exists.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0)
                    {
                        continue;
                    }
                }

                foreach (var entry in revision)
                {
                    await using var insert = HistoryDatabase.Command(
                        connection,
                        transaction,
                        $"""
                        INSERT INTO ai_webhook_deliveries (tenant_id, {Columns})
                        VALUES (@tenant, @webhook, @alarm, @revision, @key, @event, @body, @state, @attempts, @created, @lastAttempt, @nextAttempt, @delivered, @statusCode, @error)
                        ON CONFLICT (tenant_id, webhook_id, alarm_id, revision) DO NOTHING
                        """,
                        Parameters(tenantId, entry));
                    if (await insert.ExecuteNonQueryAsync() > 0)
                    {
                        added.Add(entry);
                    }
                }
            }
        });
        added.ForEach(e => e.MarkStored());
        return added;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxEntry>> UpdateAsync(string tenantId, IReadOnlyList<OutboxEntry> entries)
    {
        if (entries.Count == 0)
        {
            return [];
        }

        var written = new List<OutboxEntry>();
        var changed = new List<OutboxEntry>();
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var entry in entries)
        {
            // Fenced on what this activation last saw of the row: a stale writer changes nothing.
            var fence = entry.StoredState is null ? "" : " AND state = @storedState AND attempts = @storedAttempts";
            await using var command = HistoryDatabase.Command(
                connection,
                transaction,
                $"""
                UPDATE ai_webhook_deliveries
                SET state = @state, attempts = @attempts, last_attempt_at = @lastAttempt, next_attempt_at = @nextAttempt,
                    delivered_at = @delivered, last_status_code = @statusCode, last_error = @error
                WHERE tenant_id = @tenant AND webhook_id = @webhook AND alarm_id = @alarm AND revision = @revision{fence}
                """,
                entry.StoredState is { } stored
                    ? [.. Parameters(tenantId, entry), ("@storedState", (int)stored), ("@storedAttempts", entry.StoredAttempts)]
                    : Parameters(tenantId, entry));
            (await command.ExecuteNonQueryAsync() > 0 ? written : changed).Add(entry);
        }

        await transaction.CommitAsync();
        written.ForEach(e => e.MarkStored());
        return changed;
    }

    /// <inheritdoc />
    public async Task<bool> IsUnchangedAsync(string tenantId, OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.StoredState is not { } stored)
        {
            return true;
        }

        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection,
            null,
            """
            SELECT COUNT(*) FROM ai_webhook_deliveries
            WHERE tenant_id = @tenant AND webhook_id = @webhook AND alarm_id = @alarm AND revision = @revision
              AND state = @storedState AND attempts = @storedAttempts
            """,
            ("@tenant", tenantId),
            ("@webhook", entry.WebhookId),
            ("@alarm", entry.AlarmId),
            ("@revision", entry.Revision),
            ("@storedState", (int)stored),
            ("@storedAttempts", entry.StoredAttempts));
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxEntry>> ListByAlarmsAsync(string tenantId, IReadOnlyList<string> alarmIds)
    {
        if (alarmIds.Count == 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(connection, null, "", ("@tenant", tenantId));
        command.CommandText = $"""
            SELECT {Columns} FROM ai_webhook_deliveries
            WHERE tenant_id = @tenant AND alarm_id IN ({HistoryDatabase.AddList(command, "a", alarmIds.Distinct())})
            ORDER BY created_at, revision, webhook_id
            """;
        return await ReadAsync(command);
    }

    /// <inheritdoc />
    public async Task DeletePendingAsync(string tenantId, string webhookId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection,
            null,
            "DELETE FROM ai_webhook_deliveries WHERE tenant_id = @tenant AND webhook_id = @webhook AND state = @pending",
            ("@tenant", tenantId),
            ("@webhook", webhookId),
            ("@pending", (int)WebhookDeliveryState.Pending));
        await command.ExecuteNonQueryAsync();
    }

    /// <inheritdoc />
    public async Task DeleteTenantAsync(string tenantId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(connection, null, "DELETE FROM ai_webhook_deliveries WHERE tenant_id = @tenant", ("@tenant", tenantId));
        await command.ExecuteNonQueryAsync();
    }

    private static (string, object?)[] Parameters(string tenantId, OutboxEntry entry) =>
    [
        ("@tenant", tenantId),
        ("@webhook", entry.WebhookId),
        ("@alarm", entry.AlarmId),
        ("@revision", entry.Revision),
        ("@key", entry.IdempotencyKey),
        ("@event", entry.EventName),
        ("@body", entry.Body),
        ("@state", (int)entry.State),
        ("@attempts", entry.Attempts),
        ("@created", HistoryDatabase.Ticks(entry.CreatedAt)),
        ("@lastAttempt", HistoryDatabase.Ticks(entry.LastAttemptAt)),
        ("@nextAttempt", HistoryDatabase.Ticks(entry.NextAttemptAt)),
        ("@delivered", HistoryDatabase.Ticks(entry.DeliveredAt)),
        ("@statusCode", entry.LastStatusCode),
        ("@error", entry.LastError),
    ];

    private static async Task<IReadOnlyList<OutboxEntry>> ReadAsync(DbCommand command)
    {
        var entries = new List<OutboxEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new OutboxEntry
            {
                WebhookId = reader.GetString(0),
                AlarmId = reader.GetString(1),
                Revision = reader.GetInt32(2),
                IdempotencyKey = reader.GetString(3),
                EventName = reader.GetString(4),
                Body = (byte[])reader.GetValue(5),
                State = (WebhookDeliveryState)reader.GetInt32(6),
                Attempts = reader.GetInt32(7),
                CreatedAt = HistoryDatabase.Time(reader.GetInt64(8)),
                LastAttemptAt = HistoryDatabase.OptionalTime(reader, 9),
                NextAttemptAt = HistoryDatabase.OptionalTime(reader, 10),
                DeliveredAt = HistoryDatabase.OptionalTime(reader, 11),
                LastStatusCode = reader.IsDBNull(12) ? null : reader.GetInt32(12),
                LastError = reader.IsDBNull(13) ? null : reader.GetString(13),
            });
            entries[^1].MarkStored();
        }

        return entries;
    }
}
