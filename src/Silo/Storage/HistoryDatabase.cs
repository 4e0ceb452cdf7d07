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
    private readonly DbDataSource _source;

    /// <summary>Creates the connection source.</summary>
    /// <param name="provider">The canonical provider name: <see cref="StorageProviderNames.Sqlite"/> or <see cref="StorageProviderNames.PostgreSql"/>.</param>
    /// <param name="connectionString">The connection string (never logged).</param>
    /// <exception cref="NotSupportedException">The provider has no history tables (SQL Server).</exception>
    public HistoryDatabase(string provider, string connectionString)
    {
        _source = provider switch
        {
            StorageProviderNames.Sqlite => SqliteFactory.Instance.CreateDataSource(connectionString),
            StorageProviderNames.PostgreSql => NpgsqlDataSource.Create(connectionString),
            _ => throw new NotSupportedException($"AlarmInbox:Storage:Provider '{provider}' has no history tables; use Sqlite or PostgreSql."),
        };
    }

    /// <summary>Opens a connection.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) => await _source.OpenConnectionAsync(cancellationToken);

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
