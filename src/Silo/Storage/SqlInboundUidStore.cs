using System.Globalization;
using AlarmInbox.Grains.Inbound;

namespace AlarmInbox.Silo.Storage;

/// <summary><see cref="IInboundUidStore"/> on the table <c>ai_inbound_uids</c> (primary key address and spool id, index address and UID).</summary>
public sealed class SqlInboundUidStore(HistoryDatabase database) : IInboundUidStore
{
    /// <inheritdoc />
    public async Task<uint?> FindAsync(string addressId, string spoolId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection, null, "SELECT uid FROM ai_inbound_uids WHERE address_id = @address AND spool_id = @spool", ("@address", addressId), ("@spool", spoolId));
        return await command.ExecuteScalarAsync() is { } uid and not DBNull ? (uint)Convert.ToInt64(uid, CultureInfo.InvariantCulture) : null;
    }

    /// <inheritdoc />
    public async Task<uint> LastAsync(string addressId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(
            connection, null, "SELECT MAX(uid) FROM ai_inbound_uids WHERE address_id = @address", ("@address", addressId));
        return await command.ExecuteScalarAsync() is { } uid and not DBNull ? (uint)Convert.ToInt64(uid, CultureInfo.InvariantCulture) : 0;
    }

    /// <inheritdoc />
    public async Task AddAsync(string addressId, IReadOnlyList<KeyValuePair<string, uint>> given)
    {
        if (given.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var (spoolId, uid) in given)
        {
            await using var command = HistoryDatabase.Command(
                connection,
                transaction,
                "INSERT INTO ai_inbound_uids (address_id, spool_id, uid) VALUES (@address, @spool, @uid) ON CONFLICT (address_id, spool_id) DO NOTHING",
                ("@address", addressId),
                ("@spool", spoolId),
                ("@uid", (long)uid));
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <inheritdoc />
    public async Task DeleteOwnerAsync(string addressId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = HistoryDatabase.Command(connection, null, "DELETE FROM ai_inbound_uids WHERE address_id = @address", ("@address", addressId));
        await command.ExecuteNonQueryAsync();
    }
}
