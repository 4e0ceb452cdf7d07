using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AlarmInbox.Silo.Storage;

/// <summary>
/// Connections to the database that holds the history tables (<c>ai_*</c>): the SQLite file of the embedded mode or the
/// PostgreSQL database of the cluster, the same one Orleans stores grain state in. The statements of the
/// <c>Sql*Store</c> classes are written to run unchanged on both.
/// </summary>
public sealed class HistoryDatabase
{
    /// <summary>
    /// How long SQLite itself waits for the write lock (<c>PRAGMA busy_timeout</c>, milliseconds). Without it,
    /// Microsoft.Data.Sqlite answers a busy database by blocking its thread for 150 ms and trying again, which made
    /// every write that met another one (mails less than a second apart) wait about that long.
    /// </summary>
    public const int SqliteBusyTimeoutMs = 30_000;

    private readonly DbDataSource _source;
    private readonly bool _sqlite;

    /// <summary>Creates the connection source.</summary>
    /// <param name="provider">The canonical provider name: <see cref="StorageProviderNames.Sqlite"/> or <see cref="StorageProviderNames.PostgreSql"/>.</param>
    /// <param name="connectionString">The connection string (never logged).</param>
    /// <exception cref="NotSupportedException">The provider has no history tables (SQL Server).</exception>
    public HistoryDatabase(string provider, string connectionString)
    {
        _sqlite = provider == StorageProviderNames.Sqlite;
        _source = provider switch
        {
            StorageProviderNames.Sqlite => SqliteFactory.Instance.CreateDataSource(connectionString),
            StorageProviderNames.PostgreSql => NpgsqlDataSource.Create(connectionString),
            _ => throw new NotSupportedException($"AlarmInbox:Storage:Provider '{provider}' has no history tables; use Sqlite or PostgreSql."),
        };
    }

    /// <summary>Opens a connection (for SQLite with <see cref="SqliteBusyTimeoutMs"/> set on it).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = await _source.OpenConnectionAsync(cancellationToken);
        if (_sqlite)
        {
            await SetBusyTimeoutAsync(connection, cancellationToken);
        }

        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction whose commit does not wait for the disk: SQLite (WAL) commits it
    /// with <c>PRAGMA synchronous = NORMAL</c> instead of the connection's setting (restored afterwards, the connection
    /// goes back to the pool), PostgreSQL with <c>synchronous_commit = off</c> for this transaction only. The commit is
    /// atomic and survives a crash of the process; only a crash of the machine (power, kernel) shortly after it can undo
    /// it, and then it is undone whole and never before a commit that came earlier (both databases write one log in commit
    /// order, and a later flushed commit flushes it too). Only for writes whose loss an earlier flushed commit covers: the
    /// outbox's delivery rows, which stand for hand-off rows committed and flushed by the alarm pipeline before.
    /// </summary>
    public async Task CommitUnflushedAsync(DbConnection connection, Func<DbTransaction, Task> work)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(work);
        if (!_sqlite)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var relax = Command(connection, transaction, "SET LOCAL synchronous_commit = off"))
            {
                await relax.ExecuteNonQueryAsync();
            }

            await work(transaction);
            await transaction.CommitAsync();
            return;
        }

        // Changed outside the transaction (SQLite does not change it inside one), and put back whatever happens.
        long previous;
        await using (var read = Command(connection, null, "PRAGMA synchronous"))
        {
            previous = Convert.ToInt64(await read.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        var relaxed = previous > SqliteSynchronousNormal;
        if (relaxed)
        {
            await SetSynchronousAsync(connection, SqliteSynchronousNormal);
        }

        try
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await work(transaction);
            await transaction.CommitAsync();
        }
        finally
        {
            if (relaxed)
            {
                await SetSynchronousAsync(connection, previous);
            }
        }
    }

    /// <summary>
    /// Sets <c>PRAGMA busy_timeout</c> on <paramref name="count"/> pooled connections of <paramref name="connectionString"/>
    /// at once. Orleans' grain storage opens its connections from the same pool (same connection string), and the
    /// setting stays with each pooled connection, so its writes wait inside SQLite too instead of sleeping 150 ms.
    /// </summary>
    public static async Task PrimeSqlitePoolAsync(string connectionString, int count, CancellationToken cancellationToken)
    {
        var connections = new List<SqliteConnection>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var connection = new SqliteConnection(connectionString);
                connections.Add(connection);
                await connection.OpenAsync(cancellationToken);
                await SetBusyTimeoutAsync(connection, cancellationToken);
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>SQLite's <c>synchronous</c> level NORMAL: in WAL mode a commit is not flushed to the disk (a checkpoint flushes).</summary>
    private const long SqliteSynchronousNormal = 1;

    private static async Task SetSynchronousAsync(DbConnection connection, long level)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous = {level.ToString(System.Globalization.CultureInfo.InvariantCulture)};";
        await command.ExecuteNonQueryAsync();
    }

    private static async Task SetBusyTimeoutAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {SqliteBusyTimeoutMs};";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Creates a command with parameters <c>@name</c>; <see langword="null"/> values become <c>NULL</c>.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            Add(command, name, value);
        }

        return command;
    }

    /// <summary>Adds one parameter.</summary>
    public static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Adds <c>@{prefix}0</c>, <c>@{prefix}1</c>, … and returns them comma-separated for an <c>IN (…)</c> list.</summary>
    public static string AddList(DbCommand command, string prefix, IEnumerable<string> values)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = "@" + prefix + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Add(command, name, value);
            names.Add(name);
        }

        return names.Count == 0 ? "NULL" : string.Join(", ", names);
    }

    /// <summary>UTC ticks of a time, as stored.</summary>
    public static long Ticks(DateTimeOffset value) => value.UtcTicks;

    /// <summary>UTC ticks of an optional time.</summary>
    public static long? Ticks(DateTimeOffset? value) => value?.UtcTicks;

    /// <summary>The time of stored UTC ticks.</summary>
    public static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>The time of a nullable column at <paramref name="ordinal"/>.</summary>
    public static DateTimeOffset? OptionalTime(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Time(reader.GetInt64(ordinal));
}
