using System.Globalization;
using System.Text.Json;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;

namespace AlarmInbox.Silo.Storage;

/// <summary><see cref="IMessageStore"/> on the table <c>ai_messages</c>.</summary>
public sealed class SqlMessageStore(HistoryDatabase database) : IMessageStore
{
    /// <inheritdoc />
    public async Task<IReadOnlySet<(uint UidValidity, uint Uid)>> FindStoredAsync(string ownerId, IReadOnlyList<MailMessage> messages)
    {
        var found = new HashSet<(uint, uint)>();
        if (messages.Count == 0)
        {
            return found;
        }

        await using var connection = await database.OpenAsync();
        foreach (var group in messages.GroupBy(m => m.UidValidity))
        {
            await using var command = HistoryDatabase.Command(connection, null, "", ("@owner", ownerId), ("@validity", (long)group.Key));
            command.CommandText = $"""
                SELECT uid FROM ai_messages WHERE owner_id = @owner AND uid_validity = @validity
                AND uid IN ({string.Join(", ", group.Select(m => ((long)m.Uid).ToString(CultureInfo.InvariantCulture)).Distinct())})
                """;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                found.Add((group.Key, (uint)reader.GetInt64(0)));
            }
        }

        return found;
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> FindContentKeysAsync(string ownerId, IReadOnlyCollection<string> contentKeys)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (contentKeys.Count == 0)
        {
            return found;
        }

        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(connection, null, "", ("@owner", ownerId));
        command.CommandText = $"SELECT content_key FROM ai_messages WHERE owner_id = @owner AND content_key IN ({HistoryDatabase.AddList(command, "k", contentKeys.Distinct())})";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    /// <inheritdoc />
    public async Task AddAsync(string ownerId, IReadOnlyList<MailMessage> messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var message in messages)
        {
            await using var command = HistoryDatabase.Command(
                connection,
                transaction,
                """
                INSERT INTO ai_messages (owner_id, uid_validity, uid, ordinal, content_key, internal_date, payload)
                SELECT @owner, @validity, @uid, COALESCE((SELECT MAX(ordinal) FROM ai_messages WHERE owner_id = @owner), 0) + 1,
                       @content, @internal, @payload
                ON CONFLICT (owner_id, uid_validity, uid) DO NOTHING
                """,
                ("@owner", ownerId),
                ("@validity", (long)message.UidValidity),
                ("@uid", (long)message.Uid),
                ("@content", MessageKeys.ContentKey(message)),
                ("@internal", HistoryDatabase.Ticks(message.InternalDate)),
                ("@payload", JsonSerializer.Serialize(message)));
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MailMessage>> NewestAsync(string ownerId, int limit, uint currentUidValidity)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection,
            null,
            """
            SELECT payload FROM ai_messages WHERE owner_id = @owner
            ORDER BY CASE WHEN uid_validity = @validity THEN 0 ELSE 1 END, uid DESC
            LIMIT @limit
            """,
            ("@owner", ownerId),
            ("@validity", (long)currentUidValidity),
            ("@limit", limit));
        var messages = new List<MailMessage>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            messages.Add(JsonSerializer.Deserialize<MailMessage>(reader.GetString(0))!);
        }

        return messages;
    }

    /// <inheritdoc />
    public async Task<KnownMessages> KnownAsync(string ownerId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection, null, "SELECT content_key, internal_date FROM ai_messages WHERE owner_id = @owner ORDER BY ordinal", ("@owner", ownerId));
        var keys = new List<string>();
        long? newest = null;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
            if (!reader.IsDBNull(1) && (newest is null || reader.GetInt64(1) > newest))
            {
                newest = reader.GetInt64(1);
            }
        }

        return new KnownMessages(keys, newest is { } ticks ? HistoryDatabase.Time(ticks) : null);
    }

    /// <inheritdoc />
    public async Task DeleteOwnerAsync(string ownerId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(connection, null, "DELETE FROM ai_messages WHERE owner_id = @owner", ("@owner", ownerId));
        await command.ExecuteNonQueryAsync();
    }
}
