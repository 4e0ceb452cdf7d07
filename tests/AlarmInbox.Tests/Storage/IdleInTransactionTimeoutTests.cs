using System.Data.Common;
using AlarmInbox.Grains.Alarms;
using AlarmInbox.Silo.Hosting;
using AlarmInbox.Silo.Storage;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace AlarmInbox.Tests.Storage;

/// <summary>
/// A silo frozen inside a transaction (SIGSTOP between two statements of an alarm write) held its row locks until it was
/// gone, so the survivor's write of the same mail's key waited and the tenant's whole alarm pipeline with it (the
/// fail-over test saw no mailbox of the tenant poll again in 150 s). Every PostgreSQL session of a silo now starts with
/// <c>idle_in_transaction_session_timeout</c> (<see cref="PostgreSqlSessionSettings"/>), on the real PostgreSQL here.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class IdleInTransactionTimeoutTests(PostgresServer postgres)
{
    [Fact]
    public void TheTimeoutIsAddedToTheConnectionStringsOptionsUnlessTheyAlreadySetIt()
    {
        const string Plain = "Host=127.0.0.1;Port=5432;Database=ai;Username=alarminbox;Password=geheim";

        var added = new NpgsqlConnectionStringBuilder(PostgreSqlSessionSettings.Apply(Plain, TimeSpan.FromSeconds(10)));
        var kept = new NpgsqlConnectionStringBuilder(PostgreSqlSessionSettings.Apply(Plain + ";Options=-c search_path=alarm", TimeSpan.FromSeconds(2.5)));
        const string Own = Plain + ";Options='-c idle_in_transaction_session_timeout=60000'";

        Assert.Equal("-c idle_in_transaction_session_timeout=10000", added.Options);
        Assert.Equal("geheim", added.Password);
        Assert.Equal("-c search_path=alarm -c idle_in_transaction_session_timeout=2500", kept.Options);
        Assert.Equal(Own, PostgreSqlSessionSettings.Apply(Own, TimeSpan.FromSeconds(10)));
        Assert.Equal(Plain, PostgreSqlSessionSettings.Apply(Plain, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => PostgreSqlSessionSettings.Apply(Plain, TimeSpan.FromMilliseconds(500)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PostgreSqlSessionSettings.Apply(Plain, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task AWriterFrozenInsideItsTransactionIsEndedByTheServerSoTheSameKeysWriteGoesThroughAndTheFrozenOneCommitsNothing()
    {
        var db = PostgreSqlSessionSettings.Apply(await postgres.CreateDatabaseAsync(), TimeSpan.FromSeconds(1));
        await ClusterSchema.EnsureCreatedAsync(StorageProviderNames.PostgreSql, db, CancellationToken.None);
        var database = new HistoryDatabase(StorageProviderNames.PostgreSql, db);

        // The frozen silo: the first statement of an alarm write done, then nothing more (its process stopped).
        await using var frozen = await database.OpenAsync();
        await using var transaction = await frozen.BeginTransactionAsync();
        await using (var insert = frozen.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO ai_alarm_keys (tenant_id, mail_key, ordinal) VALUES ('ff-frozen', 'imap:mbx-1:7:42', 1)";
            await insert.ExecuteNonQueryAsync();
        }

        // The survivor writes the same mail's key: it waits for the frozen transaction's lock until the server ends that
        // session (without the setting it would wait until the frozen process is gone; the 60 s bound only keeps a
        // failing test from hanging).
        var store = new SqlAlarmStore(database);
        await store.AppendAsync("ff-frozen", new AlarmAppend { Keys = ["imap:mbx-1:7:42", "imap:mbx-1:7:43"] }).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(
            new HashSet<string> { "imap:mbx-1:7:42", "imap:mbx-1:7:43" },
            await store.FindKeysAsync("ff-frozen", ["imap:mbx-1:7:42", "imap:mbx-1:7:43", "imap:mbx-1:7:44"]));
        Assert.Equal(["1", "2"], await PostgresCommands.ListAsync(db, "SELECT ordinal::text FROM ai_alarm_keys WHERE tenant_id = 'ff-frozen' ORDER BY ordinal"));

        // The frozen silo, when it runs again, finds its session ended and its transaction rolled back.
        await Assert.ThrowsAnyAsync<DbException>(() => transaction.CommitAsync());
    }

    [Fact]
    public async Task EverySessionOfASiloOnPostgreSqlStartsWithTheTimeoutAndAnOutOfRangeValueStopsTheStart()
    {
        var db = await postgres.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["AlarmInbox:Storage:Provider"] = "PostgreSql",
            ["AlarmInbox:Storage:ConnectionString"] = db,
            ["AlarmInbox:Silo:AdvertisedAddress"] = "127.0.0.1",
        };
        await using (var silo = await TestSilo.StartAsync(settings: settings))
        {
            await using var history = await silo.Services.GetRequiredService<HistoryDatabase>().OpenAsync();
            await using var show = history.CreateCommand();
            show.CommandText = "SHOW idle_in_transaction_session_timeout";
            Assert.Equal("10s", await show.ExecuteScalarAsync());

            // Orleans' own sessions (grain state, membership, reminders) get the same start-up options.
            const string Option = "-c idle_in_transaction_session_timeout=10000";
            Assert.Contains(Option, Options(silo.Services.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(SiloHostingExtensions.AdoNetStorageName).ConnectionString), StringComparison.Ordinal);
            Assert.Contains(Option, Options(silo.Services.GetRequiredService<IOptions<AdoNetClusteringSiloOptions>>().Value.ConnectionString), StringComparison.Ordinal);
            Assert.Contains(Option, Options(silo.Services.GetRequiredService<IOptions<AdoNetReminderTableOptions>>().Value.ConnectionString), StringComparison.Ordinal);
        }

        settings["AlarmInbox:Storage:IdleInTransactionTimeout"] = "00:00:00.500";
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => TestSilo.StartAsync(settings: settings));
        Assert.Contains("AlarmInbox:Storage:IdleInTransactionTimeout", refused.Message, StringComparison.Ordinal);
    }

    private static string Options(string? connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Options ?? "";
}
