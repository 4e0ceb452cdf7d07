using AlarmInbox.Silo.Storage;
using Microsoft.Data.Sqlite;

namespace AlarmInbox.Tests.Storage;

/// <summary>The embedded SQLite schema.</summary>
public sealed class SqliteSchemaTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "ai-schema-" + Guid.NewGuid().ToString("N")[..8] + ".db");

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = _file, Pooling = false }.ToString();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task SchemaIsCreatedFromEmptyWithEveryQueryTheStorageProviderNeeds()
    {
        await SqliteSchema.EnsureCreatedAsync(ConnectionString, CancellationToken.None);

        Assert.Equal(["ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey"], await QueryKeysAsync());
        Assert.Equal("wal", await ScalarAsync<string>("PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task SecondRunKeepsStoredRows()
    {
        await SqliteSchema.EnsureCreatedAsync(ConnectionString, CancellationToken.None);
        await ExecuteAsync("INSERT INTO OrleansStorage (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, GrainTypeHash, GrainIdHash, PayloadBinary, Version, ModifiedOn) VALUES ('s', 'mailbox', 0, 0, 'mbx-a', 1, 2, x'7b7d', 3, 'now');");

        await SqliteSchema.EnsureCreatedAsync(ConnectionString, CancellationToken.None);

        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM OrleansStorage;"));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT Version FROM OrleansStorage;"));
        Assert.Equal(4, (await QueryKeysAsync()).Count);
    }

    private async Task<List<string>> QueryKeysAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey;";
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
