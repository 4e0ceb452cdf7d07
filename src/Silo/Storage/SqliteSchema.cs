using System.Reflection;
using Microsoft.Data.Sqlite;

namespace AlarmInbox.Silo.Storage;

/// <summary>Creates or completes the SQLite database of the embedded mode (the Orleans packages ship no SQL).</summary>
public static class SqliteSchema
{
    /// <summary>The schema script, as embedded in this assembly.</summary>
    public static string Script { get; } = ReadScript("sqlite-persistence.sql");

    /// <summary>Creates the tables and (re)writes the named queries; safe to run at every start. Switches the file to WAL journaling.</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <exception cref="SqliteException">The database cannot be opened or written.</exception>
    public static async Task EnsureCreatedAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            // WAL lets readers and the writer work at once; the setting is stored in the file.
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Script;
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static string ReadScript(string name)
    {
        var assembly = typeof(SqliteSchema).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
