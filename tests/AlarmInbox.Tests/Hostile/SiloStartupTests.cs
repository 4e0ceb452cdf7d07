using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AlarmInbox.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Hostile;

/// <summary>
/// Issue 16, finding 12: a silo that starts while grain storage fails keeps running and resumes its work when the
/// database is back, and a silo declared dead exits cleanly (code 75) for its supervisor instead of crashing.
/// Real silo processes on a real PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloStartupTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private readonly string _directory = Path.Combine("/tmp", "ai-startup-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<SiloProcess> _silos = [];
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        TempFolder.DeleteQuietly(_directory);
    }

    [Fact]
    public async Task ASiloStartedWhileGrainStorageFailsKeepsRunningAndResumesWhenStorageIsBack()
    {
        // A first start creates the schema and a tenant, so that the resume work has something to read.
        var first = Start("silo1");
        await first.WaitReadyAsync(Wait);
        await using (var api = ApiFactory.ForCluster(_db))
        {
            using var http = api.CreateClient();
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/tenants", new { id = "ff-start", name = "Start" })).StatusCode);
        }

        Assert.Equal(0, await first.StopAsync(Wait));

        // Grain storage is gone (the table is renamed away); membership still works, so the silo joins.
        await PostgresCommands.ExecuteAsync(_db, "ALTER TABLE OrleansStorage RENAME TO OrleansStorageAway");
        var second = Start("silo2", new() { ["AlarmInbox:Storage:CreateSchema"] = "false" });
        await Eventually.WaitForAsync(() => Task.FromResult(second.Log()), log => log.Contains("Start-up work 'resume mailboxes' failed (attempt 1", StringComparison.Ordinal) || second.HasExited, Wait, "the first failed resume attempt");
        Assert.False(second.HasExited, "the silo exited after a failed start-up task:\n" + second.LogTail());
        Assert.False(await second.IsReadyAsync());

        // Storage is back: the next attempt succeeds and the silo becomes ready, without a restart.
        await PostgresCommands.ExecuteAsync(_db, "ALTER TABLE OrleansStorageAway RENAME TO OrleansStorage");
        var clock = Stopwatch.StartNew();
        await second.WaitReadyAsync(Wait);
        await Eventually.WaitForAsync(() => Task.FromResult(second.Log()), log => log.Contains("Resumed the mailboxes of 1 tenants", StringComparison.Ordinal), Wait, "the resume to succeed");
        output.WriteLine($"Ready {clock.Elapsed.TotalSeconds:0.0} s after storage came back");
        Assert.False(second.HasExited);
    }

    [Fact]
    public async Task ASiloDeclaredDeadExitsWithCode75InsteadOfCrashing()
    {
        var survivor = Start("silo1");
        var victim = Start("silo2");
        await Task.WhenAll(survivor.WaitReadyAsync(Wait), victim.WaitReadyAsync(Wait));

        // Frozen until the survivor has declared it dead (status 6 in the membership table), then thawed: it learns it is dead.
        victim.Freeze();
        await Eventually.WaitForAsync(() => StatusAsync(victim.SiloPort), status => status == 6, Wait, "the frozen silo declared dead");
        var clock = Stopwatch.StartNew();
        victim.Thaw();
        var exitCode = await victim.WaitForExitAsync(Wait);
        output.WriteLine($"The silo declared dead exited with {exitCode} {clock.Elapsed.TotalSeconds:0.0} s after it was thawed");

        Assert.Equal(75, exitCode);
        Assert.Contains("the process exits with code 75", victim.Log(), StringComparison.Ordinal);
        Assert.True(await survivor.IsReadyAsync());
    }

    private SiloProcess Start(string name, Dictionary<string, string>? extra = null)
    {
        var silo = SiloProcess.Start(name, _db, _directory, extra);
        _silos.Add(silo);
        return silo;
    }

    private async Task<int> StatusAsync(int siloPort)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT Status FROM OrleansMembershipTable WHERE Port = @port ORDER BY Generation DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("port", siloPort);
        return await command.ExecuteScalarAsync() is int status ? status : -1;
    }
}
