using System.Data.Common;
using System.Text.Json;
using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Silo.Storage;

/// <summary>
/// <see cref="IAlarmStore"/> on the tables <c>ai_alarms</c>, <c>ai_alarm_revisions</c>, <c>ai_alarm_receipts</c>,
/// <c>ai_alarm_keys</c>, <c>ai_alarm_recognition</c> and <c>ai_alarm_handoffs</c>. Statements touch only the rows of the mails at hand (indexed by tenant), never the whole history.
/// </summary>
public sealed class SqlAlarmStore(HistoryDatabase database) : IAlarmStore
{
    private const string AlarmColumns = "alarm_id, payload";

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> FindKeysAsync(string tenantId, IReadOnlyCollection<string> keys) =>
        new HashSet<string>((await FindAsync(tenantId, "ai_alarm_keys", "mail_key", "mail_key", keys)).Keys, StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> FindRecognisedAsync(string tenantId, IReadOnlyCollection<string> keys) =>
        await FindAsync(tenantId, "ai_alarm_recognition", "recognition_key", "alarm_id", keys);

    /// <inheritdoc />
    public async Task<IReadOnlyList<AlarmRecord>> FindByIncidentAsync(string tenantId, string incidentNumber, int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection,
            null,
            $"SELECT {AlarmColumns} FROM ai_alarms WHERE tenant_id = @tenant AND incident_number = @incident ORDER BY ordinal DESC LIMIT @limit",
            ("@tenant", tenantId),
            ("@incident", incidentNumber),
            ("@limit", limit));
        return await ReadAlarmsAsync(connection, tenantId, command);
    }

    /// <inheritdoc />
    public async Task AppendAsync(string tenantId, AlarmAppend append)
    {
        if (append.IsEmpty)
        {
            return;
        }

        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var key in append.Keys)
        {
            await using var command = HistoryDatabase.Command(
                connection,
                transaction,
                """
                INSERT INTO ai_alarm_keys (tenant_id, mail_key, ordinal)
                SELECT @tenant, @key, COALESCE((SELECT MAX(ordinal) FROM ai_alarm_keys WHERE tenant_id = @tenant), 0) + 1
                ON CONFLICT (tenant_id, mail_key) DO NOTHING
                """,
                ("@tenant", tenantId),
                ("@key", key));
            await command.ExecuteNonQueryAsync();
        }

        foreach (var alarm in append.Alarms)
        {
            await UpsertAlarmAsync(connection, transaction, tenantId, alarm);
        }

        foreach (var (alarmId, receipt) in append.Receipts)
        {
            await using var command = HistoryDatabase.Command(
                connection,
                transaction,
                """
                INSERT INTO ai_alarm_receipts (tenant_id, alarm_id, source_id, uid_validity, uid, ordinal, payload)
                SELECT @tenant, @alarm, @source, @uidvalidity, @uid,
                       COALESCE((SELECT MAX(ordinal) FROM ai_alarm_receipts WHERE tenant_id = @tenant AND alarm_id = @alarm), 0) + 1, @payload
                ON CONFLICT (tenant_id, alarm_id, source_id, uid_validity, uid) DO NOTHING
                """,
                ("@tenant", tenantId),
                ("@alarm", alarmId),
                ("@source", receipt.SourceId),
                ("@uidvalidity", (long)receipt.UidValidity),
                ("@uid", (long)receipt.Uid),
                ("@payload", JsonSerializer.Serialize(receipt)));
            await command.ExecuteNonQueryAsync();
        }

        foreach (var entry in append.Recognised)
        {
            await using var command = HistoryDatabase.Command(
                connection,
                transaction,
                """
                INSERT INTO ai_alarm_recognition (tenant_id, recognition_key, alarm_id, ordinal)
                SELECT @tenant, @key, @alarm, COALESCE((SELECT MAX(ordinal) FROM ai_alarm_recognition WHERE tenant_id = @tenant), 0) + 1
                ON CONFLICT (tenant_id, recognition_key) DO UPDATE SET alarm_id = excluded.alarm_id, ordinal = excluded.ordinal
                """,
                ("@tenant", tenantId),
                ("@key", entry.Key),
                ("@alarm", entry.AlarmId));
            await command.ExecuteNonQueryAsync();
        }

        foreach (var handoff in append.Handoffs)
        {
            await using var command = HistoryDatabase.Command(
                connection,
                transaction,
                """
                INSERT INTO ai_alarm_handoffs (tenant_id, alarm_id, revision, payload) VALUES (@tenant, @alarm, @revision, @payload)
                ON CONFLICT (tenant_id, alarm_id, revision) DO NOTHING
                """,
                ("@tenant", tenantId),
                ("@alarm", handoff.Id),
                ("@revision", handoff.Revision),
                ("@payload", JsonSerializer.Serialize(handoff)));
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AlarmRecord>> ListAsync(string tenantId, AlarmQuery query)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection, null, "", ("@tenant", tenantId), ("@limit", Math.Clamp(query.Limit, 1, AlarmLimits.MaxAlarmsPage)));
        // Only the given filters become conditions: PostgreSQL cannot type a NULL parameter in "@p IS NULL".
        var where = "a.tenant_id = @tenant";
        if (query.Since is { } since)
        {
            where += " AND a.evaluated_at >= @since";
            HistoryDatabase.Add(command, "@since", HistoryDatabase.Ticks(since));
        }

        if (query.Status is { } status)
        {
            where += " AND a.status = @status";
            HistoryDatabase.Add(command, "@status", (int)status);
        }

        if (query.MailboxId is { } mailboxId)
        {
            where += " AND EXISTS (SELECT 1 FROM ai_alarm_revisions r WHERE r.tenant_id = a.tenant_id AND r.alarm_id = a.alarm_id AND r.mailbox_id = @mailbox)";
            HistoryDatabase.Add(command, "@mailbox", mailboxId);
        }

        command.CommandText = $"SELECT {AlarmColumns} FROM ai_alarms a WHERE {where} ORDER BY a.evaluated_at DESC, a.ordinal DESC LIMIT @limit";
        return await ReadAlarmsAsync(connection, tenantId, command);
    }

    /// <inheritdoc />
    public async Task<AlarmRecord?> GetAsync(string tenantId, string alarmId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection, null, $"SELECT {AlarmColumns} FROM ai_alarms WHERE tenant_id = @tenant AND alarm_id = @alarm", ("@tenant", tenantId), ("@alarm", alarmId));
        var alarms = await ReadAlarmsAsync(connection, tenantId, command);
        return alarms.Count == 0 ? null : alarms[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AlarmRecord>> ListHandoffsAsync(string tenantId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection, null, "SELECT payload FROM ai_alarm_handoffs WHERE tenant_id = @tenant", ("@tenant", tenantId));
        var handoffs = new List<AlarmRecord>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            handoffs.Add(JsonSerializer.Deserialize<AlarmRecord>(reader.GetString(0))!);
        }

        return handoffs.OrderBy(h => h.EvaluatedAt).ThenBy(h => h.Revision).ToList();
    }

    /// <inheritdoc />
    public async Task RemoveHandoffsAsync(string tenantId, IReadOnlyList<AlarmRecord> handedOff)
    {
        if (handedOff.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var alarm in handedOff)
        {
            await using var command = HistoryDatabase.Command(
                connection,
                transaction,
                "DELETE FROM ai_alarm_handoffs WHERE tenant_id = @tenant AND alarm_id = @alarm AND revision = @revision",
                ("@tenant", tenantId),
                ("@alarm", alarm.Id),
                ("@revision", alarm.Revision));
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <inheritdoc />
    public async Task DeleteTenantAsync(string tenantId)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var table in new[] { "ai_alarms", "ai_alarm_revisions", "ai_alarm_receipts", "ai_alarm_keys", "ai_alarm_recognition", "ai_alarm_handoffs" })
        {
            await using var command = HistoryDatabase.Command(connection, transaction, $"DELETE FROM {table} WHERE tenant_id = @tenant", ("@tenant", tenantId));
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>The rows of the tenant in <paramref name="table"/> whose <paramref name="keyColumn"/> is one of <paramref name="keys"/>: key → <paramref name="valueColumn"/>.</summary>
    private async Task<Dictionary<string, string>> FindAsync(string tenantId, string table, string keyColumn, string valueColumn, IReadOnlyCollection<string> keys)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return found;
        }

        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(connection, null, "", ("@tenant", tenantId));
        command.CommandText = $"SELECT {keyColumn}, {valueColumn} FROM {table} WHERE tenant_id = @tenant AND {keyColumn} IN ({HistoryDatabase.AddList(command, "k", keys)})";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found[reader.GetString(0)] = reader.GetString(1);
        }

        return found;
    }

    private static async Task UpsertAlarmAsync(DbConnection connection, DbTransaction transaction, string tenantId, AlarmRecord alarm)
    {
        await using (var command = HistoryDatabase.Command(
            connection,
            transaction,
            """
            INSERT INTO ai_alarms (tenant_id, alarm_id, ordinal, status, incident_number, evaluated_at, payload)
            SELECT @tenant, @alarm, COALESCE((SELECT MAX(ordinal) FROM ai_alarms WHERE tenant_id = @tenant), 0) + 1, @status, @incident, @evaluated, @payload
            ON CONFLICT (tenant_id, alarm_id) DO UPDATE
            SET ordinal = excluded.ordinal, status = excluded.status, incident_number = excluded.incident_number,
                evaluated_at = excluded.evaluated_at, payload = excluded.payload
            """,
            ("@tenant", tenantId),
            ("@alarm", alarm.Id),
            ("@status", (int)alarm.Status),
            ("@incident", alarm.IncidentNumber),
            ("@evaluated", HistoryDatabase.Ticks(alarm.EvaluatedAt)),
            ("@payload", JsonSerializer.Serialize(alarm with { History = [], Receipts = [] }))))
        {
            await command.ExecuteNonQueryAsync();
        }

        foreach (var revision in alarm.History)
        {
            await using var command = HistoryDatabase.Command(
                connection,
                transaction,
                """
                INSERT INTO ai_alarm_revisions (tenant_id, alarm_id, revision, mailbox_id, evaluated_at, payload)
                VALUES (@tenant, @alarm, @revision, @mailbox, @evaluated, @payload)
                ON CONFLICT (tenant_id, alarm_id, revision) DO NOTHING
                """,
                ("@tenant", tenantId),
                ("@alarm", alarm.Id),
                ("@revision", revision.Revision),
                ("@mailbox", revision.Source.MailboxId),
                ("@evaluated", HistoryDatabase.Ticks(revision.EvaluatedAt)),
                ("@payload", JsonSerializer.Serialize(revision)));
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Reads (alarm_id, payload) rows in order, then the revisions and receipts of those alarms, and joins them.</summary>
    private static async Task<IReadOnlyList<AlarmRecord>> ReadAlarmsAsync(DbConnection connection, string tenantId, DbCommand command)
    {
        var alarms = new List<AlarmRecord>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                alarms.Add(JsonSerializer.Deserialize<AlarmRecord>(reader.GetString(1))!);
            }
        }

        if (alarms.Count == 0)
        {
            return alarms;
        }

        var ids = alarms.Select(a => a.Id).Distinct().ToList();
        var history = await ReadPerAlarmAsync<AlarmRevision>(connection, tenantId, "ai_alarm_revisions", "revision", ids);
        var receipts = await ReadPerAlarmAsync<AlarmReceipt>(connection, tenantId, "ai_alarm_receipts", "ordinal", ids);
        return alarms.Select(a => a with { History = history.GetValueOrDefault(a.Id) ?? [], Receipts = receipts.GetValueOrDefault(a.Id) ?? [] }).ToList();
    }

    /// <summary>Reads the (alarm_id, payload) rows of <paramref name="table"/> for these alarms, grouped by alarm in <paramref name="order"/>.</summary>
    private static async Task<Dictionary<string, List<T>>> ReadPerAlarmAsync<T>(DbConnection connection, string tenantId, string table, string order, IReadOnlyList<string> alarmIds)
    {
        var result = new Dictionary<string, List<T>>(StringComparer.Ordinal);
        await using var command = HistoryDatabase.Command(connection, null, "", ("@tenant", tenantId));
        command.CommandText = $"""
            SELECT alarm_id, payload FROM {table}
            WHERE tenant_id = @tenant AND alarm_id IN ({HistoryDatabase.AddList(command, "a", alarmIds)})
            ORDER BY alarm_id, {order}
            """;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var alarmId = reader.GetString(0);
            if (!result.TryGetValue(alarmId, out var list))
            {
                result[alarmId] = list = [];
            }

            list.Add(JsonSerializer.Deserialize<T>(reader.GetString(1))!);
        }

        return result;
    }
}
