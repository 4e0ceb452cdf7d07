using Npgsql;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL on loopback. <c>./test.sh</c> starts one with <c>scripts/dev-postgres.sh</c> and passes its admin
/// connection string in <c>ALARMINBOX_TEST_PG</c>; without it (a plain <c>dotnet test</c>) the fixture starts its own in
/// a throwaway folder on a free port and stops it at the end. Every test gets its own <c>ai_test_…</c> database, which
/// is dropped at the end.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly List<string> _databases = [];
    private string? _ownDirectory;
    private int _ownPort;

    /// <summary>The admin connection string (database <c>postgres</c>).</summary>
    public string AdminConnectionString { get; private set; } = "";

    private Dictionary<string, string> ScriptEnvironment => new()
    {
        ["ALARMINBOX_PG_DIR"] = _ownDirectory ?? "",
        ["ALARMINBOX_PG_PORT"] = _ownPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable("ALARMINBOX_TEST_PG");
        if (!string.IsNullOrEmpty(given))
        {
            AdminConnectionString = given;
            return;
        }

        _ownDirectory = Path.Combine("/tmp", "ai-pg-" + Guid.NewGuid().ToString("N")[..8]);
        _ownPort = FreePort.Next();
        await ProcessRunner.RunAsync(Path.Combine(RepoPaths.Root, "scripts", "dev-postgres.sh"), ["start"], ScriptEnvironment);
        AdminConnectionString = (await ProcessRunner.RunAsync(Path.Combine(RepoPaths.Root, "scripts", "dev-postgres.sh"), ["url"], ScriptEnvironment)).Trim();
    }

    /// <summary>Creates an empty database <c>ai_test_&lt;random&gt;</c> and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "ai_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            foreach (var name in _databases)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        if (_ownDirectory is not null)
        {
            await ProcessRunner.RunAsync(Path.Combine(RepoPaths.Root, "scripts", "dev-postgres.sh"), ["stop"], ScriptEnvironment);
            Directory.Delete(_ownDirectory, recursive: true);
        }
    }
}

/// <summary>Tests that share one <see cref="PostgresServer"/> and run one after another (they start real silo processes).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<DovecotServer>
{
    /// <summary>The collection name.</summary>
    public const string Name = "postgres";
}
