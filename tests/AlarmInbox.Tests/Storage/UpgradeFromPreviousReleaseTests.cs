using System.Text.Json;
using System.Text.Json.Nodes;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Security;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AlarmInbox.Tests.Storage;

/// <summary>
/// Databases written by the release before the record tables (main at 93d41b7: alarms, handled keys, webhook
/// deliveries, messages and the audit log inside grain state blobs) are upgraded at start with nothing lost. The
/// fixtures in <c>Storage/Fixtures/release-93d41b7</c> were produced by that release's own code: a tenant
/// <c>ff-fixture</c> that ingested the twelve corpus mails (ten alarms, one with three revisions), a webhook that
/// accepted every revision and one that was down (eleven deliveries pending), stored messages and three audit entries;
/// <c>expected-*.json</c> is what that release's grains answered right before it stopped.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class UpgradeFromPreviousReleaseTests(PostgresServer postgres)
{
    private const string TenantId = "ff-fixture";

    private static string Fixtures => Path.Combine(RepoPaths.Root, "tests", "AlarmInbox.Tests", "Storage", "Fixtures", "release-93d41b7");

    [Fact]
    public async Task SqliteDatabaseOfThePreviousReleaseKeepsEveryAlarmDeliveryMessageAndAuditEntry()
    {
        var data = Path.Combine(Path.GetTempPath(), "ai-upgrade-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        File.Copy(Path.Combine(Fixtures, "sqlite", "alarminbox.db"), Path.Combine(data, "alarminbox.db"));
        await using var silo = await TestSilo.StartAsync(data, Settings());

        await AssertUpgradedAsync(silo, Path.Combine(Fixtures, "sqlite", "expected.json"));
        Assert.Equal(0, await LegacyAlarmsInStateAsync(async sql =>
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data, "alarminbox.db"), Pooling = false }.ToString());
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (byte[])(await command.ExecuteScalarAsync())!;
        }));

        // A second start finds nothing left to move and duplicates nothing.
        await silo.RestartAsync();
        await AssertUpgradedAsync(silo, Path.Combine(Fixtures, "sqlite", "expected.json"));
    }

    [Fact]
    public async Task PostgreSqlDatabaseOfThePreviousReleaseKeepsEveryAlarmDeliveryMessageAndAuditEntry()
    {
        var db = await postgres.CreateDatabaseAsync();
        var dump = string.Join('\n', File.ReadAllLines(Path.Combine(Fixtures, "postgresql", "dump.sql")).Where(line => !line.StartsWith('\\')));
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(dump, connection);
            await command.ExecuteNonQueryAsync();
        }

        var data = Path.Combine(Path.GetTempPath(), "ai-upgrade-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = Settings();
        settings["AlarmInbox:Storage:Provider"] = "PostgreSql";
        settings["AlarmInbox:Storage:ConnectionString"] = db;
        settings["AlarmInbox:Silo:AdvertisedAddress"] = "127.0.0.1";
        await using var silo = await TestSilo.StartAsync(data, settings);

        await AssertUpgradedAsync(silo, Path.Combine(Fixtures, "postgresql", "expected.json"));
        Assert.Equal(0, await LegacyAlarmsInStateAsync(async sql =>
        {
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return (byte[])(await command.ExecuteScalarAsync())!;
        }));

        await silo.RestartAsync();
        await AssertUpgradedAsync(silo, Path.Combine(Fixtures, "postgresql", "expected.json"));
    }

    /// <summary>Webhook retries far apart, so the pending deliveries of the fixture do not change during the test.</summary>
    private static Dictionary<string, string?> Settings() => new()
    {
        ["AlarmInbox:Webhooks:InitialBackoff"] = "00:05:00",
        ["AlarmInbox:Webhooks:MaxBackoff"] = "00:10:00",
        ["AlarmInbox:Webhooks:MaxAttempts"] = "100",
    };

    private static async Task AssertUpgradedAsync(TestSilo silo, string expectedFile)
    {
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(expectedFile))!;
        var alarms = silo.Grains.GetGrain<ITenantAlarmsGrain>(TenantId);
        var outbox = silo.Grains.GetGrain<IWebhookOutboxGrain>(TenantId);

        var list = await alarms.ListAsync(new AlarmQuery { Limit = 500 });
        Assert.Equal(10, list.Count);
        AssertSameJson(expected["alarms"]!, list);

        var deliveries = await outbox.GetDeliveriesAsync(list.Select(a => a.Id).ToList());
        var expectedDeliveries = expected["deliveries"]!.AsObject();
        Assert.Equal(expectedDeliveries.Select(p => p.Key).Order(StringComparer.Ordinal), deliveries.Keys.Order(StringComparer.Ordinal));
        foreach (var (alarmId, node) in expectedDeliveries)
        {
            var before = node!.AsArray().OrderBy(d => (string)d!["WebhookId"]!, StringComparer.Ordinal).ThenBy(d => (int)d!["Revision"]!).ToList();
            var after = deliveries[alarmId].OrderBy(d => d.WebhookId, StringComparer.Ordinal).ThenBy(d => d.Revision).ToList();
            Assert.Equal(before.Count, after.Count);
            for (var i = 0; i < before.Count; i++)
            {
                // Pending ones may have had another attempt since; everything that identifies them stays.
                Assert.Equal((string)before[i]!["IdempotencyKey"]!, after[i].IdempotencyKey);
                Assert.Equal((int)before[i]!["State"]!, (int)after[i].State);
                Assert.Equal(DateTimeOffset.Parse((string)before[i]!["CreatedAt"]!, System.Globalization.CultureInfo.InvariantCulture), after[i].CreatedAt);
                if (after[i].State == WebhookDeliveryState.Delivered)
                {
                    AssertSameJson(before[i]!, after[i]);
                }
            }
        }

        Assert.Equal(11, deliveries.Values.SelectMany(d => d).Count(d => d.State == WebhookDeliveryState.Delivered));
        Assert.Equal(11, deliveries.Values.SelectMany(d => d).Count(d => d.State == WebhookDeliveryState.Pending));
        AssertSameJson(expected["messages"]!, await silo.Grains.GetGrain<IMailboxMessagesGrain>("mbx-corpus").GetNewestAsync(500, 7));
        AssertSameJson(expected["audit"]!, await silo.Grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.Key).ListAsync(2000));

        // The handled keys came along: the same mails handed in again change nothing.
        var mails = CorpusMails();
        Assert.Equal(0, await alarms.IngestAsync("mbx-corpus", mails));
        Assert.Equal(10, (await alarms.ListAsync(new AlarmQuery { Limit = 500 })).Count);
    }

    private static List<MailMessage> CorpusMails()
    {
        var files = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.CorpusMail, "expected.json"))).RootElement
            .EnumerateObject().Select(p => p.Name).Where(n => n != "_about").Order(StringComparer.Ordinal).ToList();
        return files.Select((file, i) => AlarmEvaluatorTests.Decode(file) with { UidValidity = 7, Uid = (uint)(i + 1) }).ToList();
    }

    private static void AssertSameJson<T>(JsonNode expected, T actual)
    {
        var actualNode = JsonNode.Parse(JsonSerializer.Serialize(actual))!;
        Assert.True(JsonNode.DeepEquals(expected, actualNode), $"Expected\n{expected.ToJsonString()}\nbut got\n{actualNode.ToJsonString()}");
    }

    /// <summary>How many alarms the tenant's grain state blob still holds (the legacy list must be empty after the move).</summary>
    private static async Task<int> LegacyAlarmsInStateAsync(Func<string, Task<byte[]>> scalar)
    {
        var payload = await scalar($"SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = 'tenant-alarms' AND GrainIdExtensionString = '{TenantId}'");
        return JsonNode.Parse(payload)!["Alarms"]!.AsArray().Count;
    }
}
