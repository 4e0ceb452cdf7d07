using System.Globalization;
using System.Text.Json.Nodes;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Api;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AlarmInbox.Tests.Storage;

/// <summary>
/// Databases written by the previous release (main at 5ec47bf, deployed by users: alarms with their receipts, handled
/// and recognition keys, webhook deliveries, messages and the audit log inside grain state blobs) are upgraded at start
/// with nothing lost. The fixtures in <c>Storage/Fixtures/release-5ec47bf</c> were written by that release's own silo
/// and API (see the README there); <c>expected.json</c> is what that release's API answered right before it stopped.
/// The current silo and API start on a copy and must answer the same: every tenant, mailbox with its watermark,
/// override, inbound address, webhook, alarm with revisions, receipts and deliveries, message, API key and audit entry.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class UpgradeFromPreviousReleaseTests(PostgresServer postgres)
{
    /// <summary>Legacy lists of each grain state that the upgrade moves into the record tables and empties.</summary>
    private static readonly (string GrainType, string[] Lists)[] LegacyLists =
    [
        ("tenant-alarms", ["Alarms", "ProcessedKeys", "PendingHandoff", "Recognised"]),
        ("webhook-outbox", ["Deliveries"]),
        ("mailbox-messages", ["Messages"]),
        ("inbound-address", ["Messages", "Delivered"]),
        ("audit-log", ["Entries"]),
    ];

    private static string Fixtures => Path.Combine(RepoPaths.Root, "tests", "AlarmInbox.Tests", "Storage", "Fixtures", "release-5ec47bf");

    [Fact]
    public async Task SqliteDatabaseOfThePreviousReleaseShowsEveryTenantMailboxAlarmKeyAndEntryUnchanged()
    {
        var data = NewDataDirectory("sqlite");
        File.Copy(Path.Combine(Fixtures, "sqlite", "alarminbox.db"), Path.Combine(data, "alarminbox.db"));
        await using var webhooks = await HoldWebhookPortsAsync("sqlite");
        var given = await SpoolUidsAsync(Path.Combine(data, "alarminbox.db"));
        await using var silo = await TestSilo.StartAsync(data, Settings());

        await AssertUpgradedAsync(silo, "sqlite", async sql =>
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data, "alarminbox.db"), Pooling = false }.ToString());
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var payloads = new List<(string, byte[])>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                payloads.Add((reader.GetString(0), (byte[])reader.GetValue(1)));
            }

            return payloads;
        });

        // The spool ids the release before gave a UID (kept in the state then, in a table now) keep it: a hand-off of
        // one of them retried after the upgrade stores nothing twice; a new spool id gets the next UID.
        Assert.NotEmpty(given);
        foreach (var (addressId, spoolIds) in given)
        {
            var address = silo.Grains.GetGrain<IInboundAddressGrain>(addressId);
            foreach (var (spoolId, uid) in spoolIds)
            {
                Assert.Equal(uid, await address.ReserveUidAsync(spoolId));
            }

            Assert.Equal(spoolIds.Max(d => d.Value) + 1, await address.ReserveUidAsync("smtp-after-upgrade"));
        }
    }

    /// <summary>The legacy window of spool ids with their UIDs in each inbound address's state blob, read before the upgrade.</summary>
    private static async Task<Dictionary<string, List<KeyValuePair<string, uint>>>> SpoolUidsAsync(string file)
    {
        var given = new Dictionary<string, List<KeyValuePair<string, uint>>>(StringComparer.Ordinal);
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT GrainIdExtensionString, PayloadBinary FROM OrleansStorage WHERE GrainTypeString = 'inbound-address'";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var delivered = JsonNode.Parse((byte[])reader.GetValue(1))!["Delivered"]?.AsArray() ?? [];
            given[reader.GetString(0)] = [.. delivered.Select(d => new KeyValuePair<string, uint>((string)d!["Key"]!, (uint)d["Value"]!))];
        }

        return given;
    }

    [Fact]
    public async Task PostgreSqlDatabaseOfThePreviousReleaseShowsEveryTenantMailboxAlarmKeyAndEntryUnchanged()
    {
        var db = await postgres.CreateDatabaseAsync();
        var dump = string.Join('\n', File.ReadAllLines(Path.Combine(Fixtures, "postgresql", "dump.sql")).Where(line => !line.StartsWith('\\')));
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(dump, connection);
            await command.ExecuteNonQueryAsync();
        }

        var settings = Settings();
        settings["AlarmInbox:Storage:Provider"] = "PostgreSql";
        settings["AlarmInbox:Storage:ConnectionString"] = db;
        settings["AlarmInbox:Silo:AdvertisedAddress"] = "127.0.0.1";
        await using var webhooks = await HoldWebhookPortsAsync("postgresql");
        await using var silo = await TestSilo.StartAsync(NewDataDirectory("postgresql"), settings);

        await AssertUpgradedAsync(silo, "postgresql", async sql =>
        {
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            var payloads = new List<(string, byte[])>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                payloads.Add((reader.GetString(0), (byte[])reader.GetValue(1)));
            }

            return payloads;
        });
    }

    /// <summary>
    /// The webhook URLs stored in the fixture point at loopback ports of the run that wrote it; another test's receiver
    /// may listen on one of them now and answer a retried delivery that must stay pending. They are held closed.
    /// </summary>
    private static Task<ClosingPorts> HoldWebhookPortsAsync(string kind)
    {
        var expected = File.ReadAllText(Path.Combine(Fixtures, kind, "expected.json"));
        var ports = System.Text.RegularExpressions.Regex.Matches(expected, @"http://127\.0\.0\.1:(\d+)/")
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        return ClosingPorts.HoldAsync(ports, TimeSpan.FromSeconds(120));
    }

    /// <summary>
    /// Webhook retries far apart and no SMTP listener: the test reads what was stored, nothing new comes in. The inbound
    /// domain is the one the fixture was written with (an address is shown with the configured domain).
    /// </summary>
    private static Dictionary<string, string?> Settings() => new()
    {
        ["AlarmInbox:Smtp:Domain"] = "alarm.test",
        ["AlarmInbox:Webhooks:InitialBackoff"] = "01:00:00",
        ["AlarmInbox:Webhooks:MaxBackoff"] = "01:00:00",
        ["AlarmInbox:Webhooks:MaxAttempts"] = "100",
    };

    /// <summary>A data folder with the fixture's Data Protection key ring (the stored mailbox password and webhook secrets are encrypted with it).</summary>
    private static string NewDataDirectory(string provider)
    {
        var data = Path.Combine(Path.GetTempPath(), "ai-upgrade-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(data, "keys"));
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, provider, "keys")))
        {
            File.Copy(file, Path.Combine(data, "keys", Path.GetFileName(file)));
        }

        return data;
    }

    private static async Task AssertUpgradedAsync(TestSilo silo, string provider, Func<string, Task<List<(string GrainType, byte[] Payload)>>> states)
    {
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Fixtures, provider, "expected.json")))!;
        await AssertSameAnswersAsync(silo, expected);

        // Nothing of the history stayed in the grain state blobs.
        var types = string.Join(", ", LegacyLists.Select(l => $"'{l.GrainType}'"));
        var rows = await states($"SELECT GrainTypeString, PayloadBinary FROM OrleansStorage WHERE GrainTypeString IN ({types})");
        Assert.NotEmpty(rows);
        foreach (var (grainType, payload) in rows)
        {
            var state = JsonNode.Parse(payload)!;
            foreach (var list in LegacyLists.Single(l => l.GrainType == grainType).Lists)
            {
                Assert.True(state[list] is null || state[list]!.AsArray().Count == 0, $"{grainType}.{list} still holds {state[list]?.ToJsonString()}");
            }
        }

        // A second start finds nothing left to move and duplicates nothing.
        await silo.RestartAsync();
        await AssertSameAnswersAsync(silo, expected);

        // The handled keys and the recognition keys came along: the IMAP mails handed in again change nothing, and the
        // first mail arriving once more over SMTP is a repeat of its alarm (a receipt), not a new alarm.
        var tenant = expected["perTenant"]!["ff-fixture"]!;
        var mailbox = tenant["mailboxes"]!.AsArray().Single()!;
        var watermark = mailbox["status"]!["watermark"]!;
        var alarms = silo.Grains.GetGrain<ITenantAlarmsGrain>("ff-fixture");
        var imap = ((JsonArray)expected["imapMails"]!).Select((file, i) => AlarmEvaluatorTests.Decode((string)file!) with
        {
            UidValidity = (uint)watermark["uidValidity"]!,
            Uid = (uint)(i + 1),
        }).ToList();
        Assert.Equal(0, await alarms.IngestAsync((string)mailbox["id"]!, imap));
        // (A path the tenant has not used yet: on the fixture's own inbound address the same mail is a duplicate of that
        // address's earlier copy and skipped before recognition.)
        var again = AlarmEvaluatorTests.Decode("01-plain-utf8-keyvalue.eml") with { UidValidity = 1, Uid = 1 };
        var outcome = Assert.Single(await alarms.IngestAsync(new MailPath(MailPathKind.Smtp, "inb-after-upgrade"), [again]));
        Assert.Equal(IngestDisposition.Repeat, outcome.Disposition);
        var before = tenant["alarms"]!.AsArray().Single(a => a!["history"]!.AsArray().Any(h => (string?)h!["source"]?["messageId"] == again.MessageId))!;
        Assert.Equal((string)before["id"]!, outcome.AlarmId);
        Assert.Equal(tenant["alarms"]!.AsArray().Count, (await alarms.ListAsync(new AlarmQuery { Limit = 500 })).Count);
    }

    /// <summary>The current API answers what the previous release's API answered (fields added since are allowed; volatile status fields are not compared).</summary>
    private static async Task AssertSameAnswersAsync(TestSilo silo, JsonNode expected)
    {
        await using var factory = new ApiFactory(silo.GatewayPort);
        var api = new ApiTestClient(factory.CreateClient());
        AssertContains(expected["tenants"]!, (await api.GetAsync("/api/tenants")).Body!, "tenants");
        foreach (var (tenantId, tenant) in expected["perTenant"]!.AsObject())
        {
            var prefix = $"/api/tenants/{tenantId}";
            AssertContains(tenant!["tenant"]!, (await api.GetAsync(prefix)).Body!, tenantId);
            AssertContains(tenant["alarmSettings"]!, (await api.GetAsync($"{prefix}/alarm-settings")).Body!, $"{tenantId} alarm settings");
            AssertContains(tenant["webhooks"]!, (await api.GetAsync($"{prefix}/webhooks")).Body!, $"{tenantId} webhooks");
            AssertContains(tenant["inboundAddresses"]!, (await api.GetAsync($"{prefix}/inbound-addresses")).Body!, $"{tenantId} inbound addresses");
            AssertContains(Stable(tenant["mailboxes"]!), Stable((await api.GetAsync($"{prefix}/mailboxes")).Body!), $"{tenantId} mailboxes");
            foreach (var (ownerId, messages) in tenant["messages"]!.AsObject())
            {
                var path = ownerId.StartsWith("inb-", StringComparison.Ordinal) ? "inbound-addresses" : "mailboxes";
                AssertContains(messages!, (await api.GetAsync($"{prefix}/{path}/{ownerId}/messages?limit=500")).Body!, $"{ownerId} messages");
            }

            foreach (var (mailboxId, settings) in tenant["mailboxAlarmSettings"]!.AsObject())
            {
                AssertContains(settings!, (await api.GetAsync($"{prefix}/mailboxes/{mailboxId}/alarm-settings")).Body!, $"{mailboxId} alarm settings");
            }

            AssertContains(Stable(tenant["alarms"]!), Stable((await api.GetAsync($"{prefix}/alarms?limit=500")).Body!), $"{tenantId} alarms");
            foreach (var (alarmId, detail) in tenant["alarmDetails"]!.AsObject())
            {
                AssertContains(Stable(detail!), Stable((await api.GetAsync($"{prefix}/alarms/{alarmId}")).Body!), alarmId);
            }
        }

        AssertContains(expected["keys"]!, (await api.GetAsync("/api/keys")).Body!, "keys");
        // The fixture's entries, unchanged; this test's own refused request (below) is audited after them.
        var written = expected["audit"]!["entries"]!.AsArray().Max(e => DateTimeOffset.Parse((string)e!["at"]!, CultureInfo.InvariantCulture));
        var audit = (await api.GetAsync("/api/audit?limit=2000")).Body!["entries"]!.AsArray()
            .Where(e => DateTimeOffset.Parse((string)e!["at"]!, CultureInfo.InvariantCulture) <= written).Select(e => e!.DeepClone());
        AssertContains(expected["audit"]!, new JsonObject { ["entries"] = new JsonArray([.. audit]) }, "audit");

        // The tenant admin's key (only its hash is stored) still works, for its own tenant only; the revoked one does not.
        using var admin = factory.CreateClient((string)expected["tenantAdminKey"]!);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await admin.GetAsync(new Uri("/api/tenants/ff-fixture/alarms", UriKind.Relative))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await admin.GetAsync(new Uri("/api/tenants/thw-fixture/alarms", UriKind.Relative))).StatusCode);
    }

    /// <summary>
    /// Removes what changes by itself after the start: a mailbox's connection status (it polls a server that is gone;
    /// the watermark is kept and compared) and a pending delivery's attempt bookkeeping (it is retried). An alarm's
    /// deliveries are put in one order (revision, webhook id): their order among deliveries created at the same instant
    /// is not part of the contract.
    /// </summary>
    private static JsonNode Stable(JsonNode node)
    {
        var copy = node.DeepClone();
        foreach (var item in copy is JsonArray list ? list.Select(m => m!.AsObject()) : [copy.AsObject()])
        {
            if (item["status"] is JsonObject status && status["watermark"] is { } watermark)
            {
                item["status"] = new JsonObject { ["watermark"] = watermark.DeepClone() };
            }

            if (item["deliveries"] is JsonArray deliveries)
            {
                var ordered = deliveries.Select(d => d!.DeepClone().AsObject())
                    .OrderBy(d => (int)d["revision"]!).ThenBy(d => (string)d["webhookId"]!, StringComparer.Ordinal).ToList();
                foreach (var delivery in ordered.Where(d => (string?)d["state"] == "Pending"))
                {
                    foreach (var volatileField in new[] { "attempts", "lastAttemptAt", "nextAttemptAt", "lastStatusCode", "lastError" })
                    {
                        delivery.Remove(volatileField);
                    }
                }

                item["deliveries"] = new JsonArray([.. ordered]);
            }
        }

        return copy;
    }

    /// <summary>Every value of <paramref name="expected"/> is in <paramref name="actual"/> at the same place; arrays have the same length and order.</summary>
    private static void AssertContains(JsonNode expected, JsonNode actual, string what)
    {
        var difference = Difference(expected, actual, "$");
        Assert.True(difference is null, $"{what}: {difference}\nexpected {expected.ToJsonString()}\nactual   {actual.ToJsonString()}");
    }

    private static string? Difference(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case JsonObject e when actual is JsonObject a:
                foreach (var (name, value) in e)
                {
                    if (!a.ContainsKey(name))
                    {
                        return $"{path}.{name} is missing";
                    }

                    if (Difference(value, a[name], $"{path}.{name}") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonArray e when actual is JsonArray a:
                if (e.Count != a.Count)
                {
                    return $"{path} has {a.Count} items, expected {e.Count}";
                }

                for (var i = 0; i < e.Count; i++)
                {
                    if (Difference(e[i], a[i], $"{path}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return JsonNode.DeepEquals(expected, actual) ? null : $"{path} is {actual?.ToJsonString() ?? "null"}, expected {expected?.ToJsonString() ?? "null"}";
        }
    }
}
