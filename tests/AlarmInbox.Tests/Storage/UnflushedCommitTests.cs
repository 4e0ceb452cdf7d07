using System.Data.Common;
using AlarmInbox.Silo.Storage;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Storage;

/// <summary>
/// <see cref="HistoryDatabase.CommitUnflushedAsync"/> (the outbox's commit of new delivery rows, issue 15) on the real
/// SQLite file and the real PostgreSQL: the rows are committed, the commit alone does not wait for the disk, and the
/// connection (which goes back to the pool, shared with Orleans' grain storage) keeps its own durability setting.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class UnflushedCommitTests(PostgresServer postgres) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ai-unflushed-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AnUnflushedSqliteCommitStoresItsRowsAndGivesTheConnectionItsSyncLevelBack()
    {
        var connectionString = $"Data Source={Path.Combine(_directory, "alarminbox.db")}";
        await SqliteSchema.EnsureCreatedAsync(connectionString, CancellationToken.None);
        var database = new HistoryDatabase(StorageProviderNames.Sqlite, connectionString);
        await using var connection = await database.OpenAsync();
        await ExecuteAsync(connection, null, "CREATE TABLE flush_probe (v INTEGER NOT NULL)");
        await ExecuteAsync(connection, null, "PRAGMA synchronous = FULL");

        string? inside = null;
        await database.CommitUnflushedAsync(connection, async transaction =>
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO flush_probe (v) VALUES (1)");
            inside = await ScalarAsync(connection, transaction, "PRAGMA synchronous");
        });
        await Assert.ThrowsAsync<InvalidOperationException>(() => database.CommitUnflushedAsync(connection, async transaction =>
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO flush_probe (v) VALUES (2)");
            throw new InvalidOperationException("The work failed.");
        }));

        // NORMAL (1) during the commit, FULL (2) again afterwards; the failed work's row was rolled back.
        Assert.Equal("1", inside);
        Assert.Equal("2", await ScalarAsync(connection, null, "PRAGMA synchronous"));
        await using var other = await database.OpenAsync();
        Assert.Equal("1", await ScalarAsync(other, null, "SELECT group_concat(v) FROM flush_probe"));
    }

    [Fact]
    public async Task AnUnflushedPostgreSqlCommitStoresItsRowsAndTurnsSynchronousCommitOffForItselfOnly()
    {
        var database = new HistoryDatabase(StorageProviderNames.PostgreSql, await postgres.CreateDatabaseAsync());
        await using var connection = await database.OpenAsync();
        await ExecuteAsync(connection, null, "CREATE TABLE flush_probe (v INTEGER NOT NULL)");

        // The test server runs with synchronous_commit off (throwaway data); a production session has it on.
        await ExecuteAsync(connection, null, "SET synchronous_commit = on");
        string? inside = null;
        await database.CommitUnflushedAsync(connection, async transaction =>
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO flush_probe (v) VALUES (1)");
            inside = await ScalarAsync(connection, transaction, "SHOW synchronous_commit");
        });
        await Assert.ThrowsAsync<InvalidOperationException>(() => database.CommitUnflushedAsync(connection, async transaction =>
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO flush_probe (v) VALUES (2)");
            throw new InvalidOperationException("The work failed.");
        }));

        Assert.Equal("off", inside);
        Assert.Equal("on", await ScalarAsync(connection, null, "SHOW synchronous_commit"));
        await using var other = await database.OpenAsync();
        Assert.Equal("1", await ScalarAsync(other, null, "SELECT string_agg(v::text, ',') FROM flush_probe"));
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql)
    {
        await using var command = HistoryDatabase.Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql)
    {
        await using var command = HistoryDatabase.Command(connection, transaction, sql);
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
