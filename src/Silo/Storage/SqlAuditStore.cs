using AlarmInbox.Grains.Interfaces.Security;
using AlarmInbox.Grains.Security;

namespace AlarmInbox.Silo.Storage;

/// <summary><see cref="IAuditStore"/> on the table <c>ai_audit</c>.</summary>
public sealed class SqlAuditStore(HistoryDatabase database) : IAuditStore
{
    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var entry in entries)
        {
            await using var command = HistoryDatabase.Command(
                connection,
                transaction,
                """
                INSERT INTO ai_audit (at, key_id, method, route, tenant_id, mailbox_id, status)
                VALUES (@at, @key, @method, @route, @tenant, @mailbox, @status)
                """,
                ("@at", HistoryDatabase.Ticks(entry.At)),
                ("@key", entry.KeyId),
                ("@method", entry.Method),
                ("@route", entry.Route),
                ("@tenant", entry.TenantId),
                ("@mailbox", entry.MailboxId),
                ("@status", entry.Status));
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEntry>> ListNewestAsync(int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection,
            null,
            "SELECT at, key_id, method, route, tenant_id, mailbox_id, status FROM ai_audit ORDER BY id DESC LIMIT @limit",
            ("@limit", limit));
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new AuditEntry(
                HistoryDatabase.Time(reader.GetInt64(0)),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetInt32(6)));
        }

        return entries;
    }
}
