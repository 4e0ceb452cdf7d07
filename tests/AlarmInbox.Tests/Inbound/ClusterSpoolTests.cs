using System.Buffers;
using AlarmInbox.Grains.Health;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Silo.Smtp;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Hostile;
using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Npgsql;

namespace AlarmInbox.Tests.Inbound;

/// <summary>
/// Issue 16 item 5: in cluster mode on PostgreSQL an accepted SMTP mail is a row of the cluster database before the 250,
/// on a real PostgreSQL (one throwaway database per test) with an in-process silo. The crash of the accepting silo with
/// two silo processes is in <c>ClusterProcessTests</c>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterSpoolTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly int _smtpPort = FreePort.Next();
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ai-cspool-" + Guid.NewGuid().ToString("N")[..8]);
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateDatabaseAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AcceptedMailIsARowOfTheClusterDatabaseBeforeThe250AndTheNextSiloHandsItOffOnce()
    {
        var observer = new FailingHandOffObserver();
        await using var silo = await StartSiloAsync(new() { ["AlarmInbox:Smtp:RetryInterval"] = "00:10:00" }, observer);
        var (tenantId, addressId, address) = await CreateAddressAsync(silo);

        var reply = await SendAsync(SmtpTestSilo.Mail("B3 Wohnhausbrand", "2026-700001"), address);
        await Eventually.WaitForAsync(() => Task.FromResult(observer.FailedAttempts), n => n >= 1, Wait, "a failed hand-off");
        var rows = await QueryAsync("SELECT spool_id || ' ' || tenant_id || ' ' || (accepted_by = lease_owner)::text FROM ai_smtp_spool");
        var localFiles = Directory.GetFiles(Path.Combine(_dataDirectory, "spool"), "*.msg");

        // The silo stops (its leases are let go) and a new one, a new member of the cluster, takes the mail over.
        observer.Fail = false;
        await silo.RestartAsync();
        var records = await Eventually.WaitForAsync(
            () => silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { MailboxId = addressId }), r => r.Count > 0, Wait, "the alarm");
        await Eventually.WaitForAsync(() => QueryAsync("SELECT spool_id FROM ai_smtp_spool"), r => r.Count == 0, Wait, "the spool row deleted");

        var spoolId = reply["Queued as ".Length..];
        Assert.Equal([$"{spoolId} {tenantId} true"], rows);
        Assert.Empty(localFiles);
        var record = Assert.Single(records);
        Assert.Equal("2026-700001", record.IncidentNumber);
        Assert.Equal(1, record.Revision);
        Assert.Equal([1u], (await silo.Grains.GetGrain<IInboundAddressGrain>(addressId).GetMessagesAsync(10)).Select(m => m.Uid));
    }

    [Fact]
    public async Task AFailedDatabaseWriteAnswers451NamesStorageUnavailableAndTheNextMailIsAcceptedOnceWritesWorkAgain()
    {
        await using var silo = await StartSiloAsync(new() { ["AlarmInbox:Smtp:StorageProbeInterval"] = SmtpTestSilo.Seconds(0.5) });
        var (tenantId, addressId, address) = await CreateAddressAsync(silo);
        var health = silo.Services.GetRequiredService<StorageHealth>();

        // The database refuses every new spool row (a check no row passes), as it would when its disk is full.
        await ExecuteAsync("ALTER TABLE ai_smtp_spool ADD CONSTRAINT ai_test_refuse CHECK (false) NOT VALID");
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(SmtpTestSilo.Mail("B3 vorher", "2026-700010"), address));
        var problems = health.Problems.Select(p => $"{p.Component}:{p.Reason}").ToList();
        await ExecuteAsync("ALTER TABLE ai_smtp_spool DROP CONSTRAINT ai_test_refuse");
        await Eventually.WaitForAsync(() => Task.FromResult(health.Problems.Count), n => n == 0, Wait, "the probe to clear storage_unavailable");
        var accepted = await SendAsync(SmtpTestSilo.Mail("B3 nachher", "2026-700011"), address);
        var records = await Eventually.WaitForAsync(
            () => silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { MailboxId = addressId }), r => r.Count > 0, Wait, "the alarm");

        Assert.Equal(SmtpStatusCode.ErrorInProcessing, refused.StatusCode); // 451: the sender keeps the mail and retries
        Assert.Equal(["smtp-spool:PostgresException"], problems);
        Assert.StartsWith("Queued as smtp-", accepted, StringComparison.Ordinal);
        Assert.Equal(["2026-700011"], records.Select(r => r.IncidentNumber));
        Assert.Equal(1, (await silo.Grains.GetGrain<IInboundAddressGrain>(addressId).GetAsync())!.RejectedCount);
    }

    [Fact]
    public async Task MailsLeftInTheLocalSpoolByTheReleaseBeforeAreMovedIntoTheDatabaseAndDeliveredOnce()
    {
        await using var silo = await StartSiloAsync([]);
        var (tenantId, addressId, address) = await CreateAddressAsync(silo);
        await silo.StopAsync();

        // What the release before this one left behind: a mail answered 250 and fsynced into <data>/spool, not handed off.
        var id = InboundSpool.NewId();
        var raw = Raw(SmtpTestSilo.Mail("B3 aus dem alten Spool", "2026-700020"));
        var envelope = new SpoolEnvelope(id, DateTimeOffset.UtcNow, SmtpTestSilo.Leitstelle, [address], [new InboundRoute(tenantId, addressId)], raw.Length);
        await new InboundSpool(Path.Combine(_dataDirectory, "spool")).WriteAsync(envelope, new ReadOnlySequence<byte>(raw), CancellationToken.None);

        await silo.RestartAsync();
        var records = await Eventually.WaitForAsync(
            () => silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { MailboxId = addressId }), r => r.Count > 0, Wait, "the alarm");
        await Eventually.WaitForAsync(() => QueryAsync("SELECT spool_id FROM ai_smtp_spool"), r => r.Count == 0, Wait, "the spool row deleted");

        Assert.Empty(Directory.GetFiles(Path.Combine(_dataDirectory, "spool"), "*.msg"));
        Assert.Equal(["2026-700020"], records.Select(r => r.IncidentNumber));
        var message = Assert.Single(await silo.Grains.GetGrain<IInboundAddressGrain>(addressId).GetMessagesAsync(10));
        Assert.Equal(SmtpTestSilo.Leitstelle, message.EnvelopeFrom);
    }

    private async Task<TestSilo> StartSiloAsync(Dictionary<string, string?> settings, ISpoolHandOffObserver? observer = null)
    {
        var all = SmtpSiloFixture.SmtpSettings(_smtpPort);
        all["AlarmInbox:Storage:Provider"] = "PostgreSql";
        all["AlarmInbox:Storage:ConnectionString"] = _db;
        all["AlarmInbox:Silo:AdvertisedAddress"] = "127.0.0.1";
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return await TestSilo.StartAsync(_dataDirectory, all, observer is null ? null : s => s.AddSingleton(observer));
    }

    private static async Task<(string TenantId, string AddressId, string Address)> CreateAddressAsync(TestSilo silo)
    {
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        var addressId = "inb-" + Guid.NewGuid().ToString("N")[..12];
        var info = (await silo.Grains.GetGrain<IInboundAddressGrain>(addressId).CreateAsync(tenantId, null)).Value!;
        return (tenantId, addressId, info.Address);
    }

    private async Task<string> SendAsync(MimeMessage message, string recipient)
    {
        using var client = new SmtpClient { LocalDomain = "sender.test" };
        await client.ConnectAsync("127.0.0.1", _smtpPort, SecureSocketOptions.None);
        var reply = await client.SendAsync(message, MailboxAddress.Parse(SmtpTestSilo.Leitstelle), [MailboxAddress.Parse(recipient)]);
        await client.DisconnectAsync(quit: true);
        return reply;
    }

    private static byte[] Raw(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }

    private async Task<List<string>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
