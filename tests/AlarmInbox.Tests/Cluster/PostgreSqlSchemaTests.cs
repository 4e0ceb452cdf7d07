using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Silo.Storage;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Cluster;

/// <summary>The project's PostgreSQL schema on a real PostgreSQL, one throwaway database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlSchemaTests(PostgresServer postgres)
{
    private static readonly string[] Tables =
    [
        "ai_alarm_handoffs", "ai_alarm_keys", "ai_alarm_receipts", "ai_alarm_recognition", "ai_alarm_revisions", "ai_alarms", "ai_audit", "ai_inbound_uids",
        "ai_messages", "ai_smtp_spool", "ai_webhook_deliveries", "orleansmembershiptable", "orleansmembershipversiontable", "orleansquery",
        "orleansreminderstable", "orleansstorage",
    ];

    [Fact]
    public async Task SchemaOnAnEmptyDatabaseCreatesTheOrleansAndHistoryTablesAndEveryQueryKey()
    {
        var db = await postgres.CreateDatabaseAsync();

        await ClusterSchema.EnsureCreatedAsync(StorageProviderNames.PostgreSql, db, CancellationToken.None);

        Assert.Equal(Tables, await PostgresCommands.ListAsync(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename COLLATE \"C\""));
        Assert.Equal(ClusterSchema.QueryKeys.Order(StringComparer.Ordinal), await PostgresCommands.ListAsync(db, "SELECT querykey FROM orleansquery ORDER BY querykey COLLATE \"C\""));
    }

    [Fact]
    public async Task SecondRunChangesNoRowAndNoColumn()
    {
        var db = await postgres.CreateDatabaseAsync();
        await ClusterSchema.EnsureCreatedAsync(StorageProviderNames.PostgreSql, db, CancellationToken.None);
        const string Rows = "SELECT querykey || ':' || xmin::text FROM orleansquery ORDER BY 1";
        const string Columns = "SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1";
        const string Indexes = "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1";
        var rowsBefore = await PostgresCommands.ListAsync(db, Rows);
        var columnsBefore = await PostgresCommands.ListAsync(db, Columns);
        var indexesBefore = await PostgresCommands.ListAsync(db, Indexes);

        await ClusterSchema.EnsureCreatedAsync(StorageProviderNames.PostgreSql, db, CancellationToken.None);

        // xmin is the transaction that wrote a row version: unchanged means the query rows were not rewritten.
        Assert.Equal(rowsBefore, await PostgresCommands.ListAsync(db, Rows));
        Assert.Equal(columnsBefore, await PostgresCommands.ListAsync(db, Columns));
        Assert.Equal(indexesBefore, await PostgresCommands.ListAsync(db, Indexes));
        Assert.Equal(20, rowsBefore.Count);
    }

    [Fact]
    public async Task RunOnADamagedDatabaseRestoresAMissingAndAChangedQuery()
    {
        var db = await postgres.CreateDatabaseAsync();
        await ClusterSchema.EnsureCreatedAsync(StorageProviderNames.PostgreSql, db, CancellationToken.None);
        var original = await PostgresCommands.ListAsync(db, "SELECT querytext FROM orleansquery WHERE querykey = 'GatewaysQueryKey'");
        await PostgresCommands.ExecuteAsync(db, "DELETE FROM orleansquery WHERE querykey = 'CleanupDefunctSiloEntriesKey'; UPDATE orleansquery SET querytext = 'SELECT 1' WHERE querykey = 'GatewaysQueryKey'");

        await ClusterSchema.EnsureCreatedAsync(StorageProviderNames.PostgreSql, db, CancellationToken.None);

        Assert.Equal(ClusterSchema.QueryKeys.Order(StringComparer.Ordinal), await PostgresCommands.ListAsync(db, "SELECT querykey FROM orleansquery ORDER BY querykey COLLATE \"C\""));
        Assert.Equal(original, await PostgresCommands.ListAsync(db, "SELECT querytext FROM orleansquery WHERE querykey = 'GatewaysQueryKey'"));
    }

    [Fact]
    public async Task ScriptOnADatabaseOfTheReleaseBeforeTheClusterSpoolAddsItsTableAndKeepsStoredRowsAndQueries()
    {
        // The release before issue 16 item 5: the same script without the smtp-spool block.
        var script = ClusterSchema.Script(StorageProviderNames.PostgreSql);
        var begin = script.IndexOf("-- BEGIN smtp-spool", StringComparison.Ordinal);
        var end = script.IndexOf('\n', script.IndexOf("-- END smtp-spool", StringComparison.Ordinal)) + 1;
        var before = script[..begin] + script[end..];
        var db = await postgres.CreateDatabaseAsync();
        await PostgresCommands.ExecuteAsync(db, $"BEGIN;\n{before}\nCOMMIT;");
        await PostgresCommands.ExecuteAsync(db, """
            INSERT INTO orleansstorage (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring, graintypehash, grainidhash, payloadbinary, version, modifiedon)
            VALUES ('alarminbox', 'tenant', 0, 0, 'ff-alt', 1, 2, convert_to('{"Name":"Feuerwehr Alt"}', 'UTF8'), 7, now())
            """);
        var tablesBefore = await PostgresCommands.ListAsync(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename COLLATE \"C\"");
        const string Rows = "SELECT querykey || ':' || xmin::text FROM orleansquery ORDER BY 1";
        var queriesBefore = await PostgresCommands.ListAsync(db, Rows);

        await ClusterSchema.EnsureCreatedAsync(StorageProviderNames.PostgreSql, db, CancellationToken.None);

        Assert.DoesNotContain("ai_smtp_spool", tablesBefore);
        Assert.Equal(Tables, await PostgresCommands.ListAsync(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename COLLATE \"C\""));
        Assert.Equal(queriesBefore, await PostgresCommands.ListAsync(db, Rows));
        Assert.Equal(
            ["7:{\"Name\":\"Feuerwehr Alt\"}"],
            await PostgresCommands.ListAsync(db, "SELECT version::text || ':' || convert_from(payloadbinary, 'UTF8') FROM orleansstorage WHERE grainidextensionstring = 'ff-alt'"));
        Assert.Equal(
            ["accepted_at", "accepted_by", "attempts", "envelope", "lease_owner", "lease_until", "parked_at", "raw", "service_id", "spool_id", "tenant_id"],
            await PostgresCommands.ListAsync(db, "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'ai_smtp_spool' ORDER BY 1"));
    }

    [Fact]
    public async Task ASpoolTableWithoutParkedAtGetsTheColumnAndItsReadCountsSetBackToZeroOnce()
    {
        // The spool table before hand-off failures were counted: no parked_at, attempts counted every read of the row.
        var db = await postgres.CreateDatabaseAsync();
        await ClusterSchema.EnsureCreatedAsync(StorageProviderNames.PostgreSql, db, CancellationToken.None);
        await PostgresCommands.ExecuteAsync(db, """
            ALTER TABLE ai_smtp_spool DROP COLUMN parked_at;
            INSERT INTO ai_smtp_spool (service_id, spool_id, tenant_id, envelope, raw, accepted_by, accepted_at, lease_owner, lease_until, attempts)
            VALUES ('alarminbox', 'smtp-alt', 'ff-alt', '{}', convert_to('Subject: alt', 'UTF8'), 'S1', now(), 'S1', now(), 7);
            """);
        const string Row = "SELECT attempts::text || ' ' || (parked_at IS NULL)::text || ' ' || convert_from(raw, 'UTF8') FROM ai_smtp_spool";

        await ClusterSchema.EnsureCreatedAsync(StorageProviderNames.PostgreSql, db, CancellationToken.None);
        var migrated = await PostgresCommands.ListAsync(db, Row);
        await PostgresCommands.ExecuteAsync(db, "UPDATE ai_smtp_spool SET attempts = 2");
        await ClusterSchema.EnsureCreatedAsync(StorageProviderNames.PostgreSql, db, CancellationToken.None);

        Assert.Equal(["0 true Subject: alt"], migrated);
        Assert.Equal(["2 true Subject: alt"], await PostgresCommands.ListAsync(db, Row));
    }

    [Fact]
    public async Task SchemaCommandPrintsTheScriptsAndBothNameEveryQueryKey()
    {
        foreach (var provider in new[] { StorageProviderNames.PostgreSql, StorageProviderNames.SqlServer })
        {
            var output = new StringWriter();
            var exitCode = await SchemaCommand.RunAsync(["schema", "--provider", provider.ToLowerInvariant()], output, TextWriter.Null);

            Assert.Equal(0, exitCode);
            Assert.Equal(ClusterSchema.Script(provider), output.ToString());
            Assert.All(ClusterSchema.QueryKeys, key => Assert.Contains($"('{key}', ", output.ToString(), StringComparison.Ordinal));
        }

        Assert.Equal(2, await SchemaCommand.RunAsync(["schema", "--provider", "Sqlite"], TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public async Task SiloStartsOnANewDatabaseWithEveryQueryKeyAndStoresStateAndDurableReminders()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var silo = await TestSilo.StartAsync(settings: new()
        {
            ["AlarmInbox:Storage:Provider"] = "PostgreSql",
            ["AlarmInbox:Storage:ConnectionString"] = db,
            ["AlarmInbox:Silo:AdvertisedAddress"] = "127.0.0.1",
        });

        // A tenant with a mailbox that cannot reach its server: state rows and the watchdog reminder are written anyway.
        var tenant = silo.Grains.GetGrain<ITenantGrain>("ff-schema");
        Assert.True((await tenant.CreateAsync("Feuerwehr Schema")).Succeeded);
        var mailbox = (await tenant.CreateMailboxAsync(
            new MailboxSettings
            {
                DisplayName = "Alarm", Host = "127.0.0.1", Port = FreePort.Next(), Security = MailboxSecurity.None,
                Username = "nobody", Password = "geheim", PollIntervalSeconds = 60,
            },
            backfill: 0)).Value!;

        Assert.Equal(["mailbox", "tenant", "tenant-directory"], await PostgresCommands.ListAsync(db, "SELECT DISTINCT graintypestring FROM orleansstorage ORDER BY 1"));
        Assert.Equal([$"mailbox/{mailbox!.Config.Id}:poll-watchdog"], await PostgresCommands.ListAsync(db, "SELECT grainid || ':' || remindername FROM orleansreminderstable"));
        Assert.Equal(["3"], await PostgresCommands.ListAsync(db, "SELECT status::text FROM orleansmembershiptable"));
        Assert.DoesNotContain("geheim", string.Join(' ', await PostgresCommands.ListAsync(db, "SELECT convert_from(payloadbinary, 'UTF8') FROM orleansstorage")), StringComparison.Ordinal);
    }
}
