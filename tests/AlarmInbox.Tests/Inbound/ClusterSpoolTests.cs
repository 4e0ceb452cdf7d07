using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using AlarmInbox.Grains.Health;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Silo.Smtp;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Hostile;
using AlarmInbox.Tests.Infrastructure;
using AlarmInbox.Tests.Security;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;

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
        var rows = await PostgresCommands.ListAsync(_db, "SELECT spool_id || ' ' || tenant_id || ' ' || (accepted_by = lease_owner)::text FROM ai_smtp_spool");
        var localFiles = Directory.GetFiles(Path.Combine(_dataDirectory, "spool"), "*.msg");

        // The silo stops (its leases are let go) and a new one, a new member of the cluster, takes the mail over.
        observer.Fail = false;
        await silo.RestartAsync();
        var records = await Eventually.WaitForAsync(
            () => silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { MailboxId = addressId }), r => r.Count > 0, Wait, "the alarm");
        await Eventually.WaitForAsync(() => PostgresCommands.ListAsync(_db, "SELECT spool_id FROM ai_smtp_spool"), r => r.Count == 0, Wait, "the spool row deleted");

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
        await PostgresCommands.ExecuteAsync(_db, "ALTER TABLE ai_smtp_spool ADD CONSTRAINT ai_test_refuse CHECK (false) NOT VALID");
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(SmtpTestSilo.Mail("B3 vorher", "2026-700010"), address));
        var problems = health.Problems.Select(p => $"{p.Component}:{p.Reason}").ToList();
        await PostgresCommands.ExecuteAsync(_db, "ALTER TABLE ai_smtp_spool DROP CONSTRAINT ai_test_refuse");
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
        await Eventually.WaitForAsync(() => PostgresCommands.ListAsync(_db, "SELECT spool_id FROM ai_smtp_spool"), r => r.Count == 0, Wait, "the spool row deleted");

        Assert.Empty(Directory.GetFiles(Path.Combine(_dataDirectory, "spool"), "*.msg"));
        Assert.Equal(["2026-700020"], records.Select(r => r.IncidentNumber));
        var message = Assert.Single(await silo.Grains.GetGrain<IInboundAddressGrain>(addressId).GetMessagesAsync(10));
        Assert.Equal(SmtpTestSilo.Leitstelle, message.EnvelopeFrom);
    }

    [Fact]
    public async Task AMailWhoseHolderStoppedRenewingIsClaimedAtALookEverySpoolClaimIntervalAndHeldForSpoolLease()
    {
        // Both shorter than or far from their defaults (5 s, 1 min): a claim loop that ignored SpoolClaimInterval would
        // look after 5 s, and a lease that ignored SpoolLease would run a minute ahead of the database's clock.
        var observer = new FailingHandOffObserver();
        var sinceBeforeStart = Stopwatch.StartNew();
        await using var silo = await StartSiloAsync(
            new()
            {
                ["AlarmInbox:Smtp:SpoolLease"] = "00:00:03",
                ["AlarmInbox:Smtp:SpoolClaimInterval"] = "00:00:20",
                ["AlarmInbox:Smtp:RetryInterval"] = SmtpTestSilo.Seconds(0.5),
            },
            observer);
        var (tenantId, addressId, address) = await CreateAddressAsync(silo);

        // A mail held by a silo that is alive as far as the cluster knows but stopped renewing its lease (cut off from
        // the database): no death declaration wakes the claim loop, only its periodic look finds the row.
        var id = InboundSpool.NewId();
        var raw = Raw(SmtpTestSilo.Mail("B3 gehaltene Mail", "2026-700030"));
        var envelope = new SpoolEnvelope(id, DateTimeOffset.UtcNow, SmtpTestSilo.Leitstelle, [address], [new InboundRoute(tenantId, addressId)], raw.Length);
        await PostgresCommands.ExecuteAsync(_db,
            """
            INSERT INTO ai_smtp_spool (service_id, spool_id, tenant_id, envelope, raw, accepted_by, accepted_at, lease_owner, lease_until)
            VALUES ('alarminbox', @id, @tenant, @envelope, @raw, 'S10.255.0.1:11111:1', now(), 'S10.255.0.1:11111:1', now() + interval '1 second')
            """,
            ("id", id), ("tenant", tenantId), ("envelope", JsonSerializer.Serialize(envelope)), ("raw", raw));
        await Eventually.WaitForAsync(() => Task.FromResult(observer.FailedAttempts), n => n >= 1, Wait, "the claimed mail's first hand-off");
        var claimedAfter = sinceBeforeStart.Elapsed;
        var lease = await PostgresCommands.ListAsync(_db, $"SELECT lease_owner || ' ' || (lease_until <= now() + interval '3 seconds')::text FROM ai_smtp_spool WHERE spool_id = '{id}'");

        observer.Fail = false;
        var records = await Eventually.WaitForAsync(
            () => silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { MailboxId = addressId }), r => r.Count > 0, Wait, "the alarm");
        await Eventually.WaitForAsync(() => PostgresCommands.ListAsync(_db, "SELECT spool_id FROM ai_smtp_spool"), r => r.Count == 0, Wait, "the spool row deleted");

        // The first look of the claim loop comes SpoolClaimInterval after the silo's start at the earliest.
        Assert.True(claimedAfter >= TimeSpan.FromSeconds(20), $"claimed {claimedAfter.TotalSeconds:0.0} s after the start began");
        Assert.Equal([$"{silo.Services.GetRequiredService<ClusterSpool>().Owner} true"], lease);
        Assert.Equal(["2026-700030"], records.Select(r => r.IncidentNumber));
    }

    [Fact]
    public async Task AMailThatFailsEveryHandOffIsRetriedWithGrowingWaitsThenParkedWithItsRawMailNotClaimedAgainLoggedAndCounted()
    {
        var observer = new FailingHandOffObserver(() => new InvalidOperationException("Simulated mail that makes the pipeline throw."));
        var logs = new CapturingLoggerProvider();
        await using var silo = await StartSiloAsync(PoisonMail.Settings, observer, logs);
        using var counter = new ParkedMailCounter(silo.Services);
        var (tenantId, addressId, address) = await CreateAddressAsync(silo);

        var spoolId = (await SendAsync(SmtpTestSilo.Mail("B3 Giftmail", "2026-700040"), address))["Queued as ".Length..];
        var parked = await Eventually.WaitForAsync(
            () => PostgresCommands.ListAsync(_db, $"SELECT attempts::text || ' ' || (parked_at IS NOT NULL)::text || ' ' || encode(raw, 'escape') FROM ai_smtp_spool WHERE spool_id = '{spoolId}'"),
            r => r.Count == 1 && r[0].StartsWith("3 true ", StringComparison.Ordinal), Wait, "the mail parked after 3 failed hand-offs");

        // Hand-offs work again: the next mail goes through, also after a restart whose take-over looks at every row.
        observer.Fail = false;
        await SendAsync(SmtpTestSilo.Mail("B3 danach", "2026-700041"), address);
        await silo.RestartAsync();
        await SendAsync(SmtpTestSilo.Mail("B3 nach dem Neustart", "2026-700042"), address);
        var records = await Eventually.WaitForAsync(
            () => silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { MailboxId = addressId }), r => r.Count >= 2, Wait, "the two later alarms");
        // A handed-off row is deleted right after its alarm is stored: wait for the later two rows to go.
        var rows = await Eventually.WaitForAsync(
            () => PostgresCommands.ListAsync(_db, "SELECT spool_id || ' ' || (parked_at IS NOT NULL)::text FROM ai_smtp_spool"), r => r.Count == 1, Wait, "only the parked row left");

        PoisonMail.AssertRetriedWithGrowingWaits(observer.FailedAt(spoolId));
        Assert.Contains("Subject: B3 Giftmail", parked[0], StringComparison.Ordinal);
        Assert.Equal([$"{spoolId} true"], rows);
        Assert.Equal(["2026-700041", "2026-700042"], records.Select(r => r.IncidentNumber).Order(StringComparer.Ordinal));
        Assert.Equal(1, counter.Parked);
        PoisonMail.AssertLogged(logs, spoolId, tenantId);
    }

    private async Task<TestSilo> StartSiloAsync(Dictionary<string, string?> settings, ISpoolHandOffObserver? observer = null, ILoggerProvider? logs = null)
    {
        var all = SmtpSiloFixture.SmtpSettings(_smtpPort);
        all["AlarmInbox:Storage:Provider"] = "PostgreSql";
        all["AlarmInbox:Storage:ConnectionString"] = _db;
        all["AlarmInbox:Silo:AdvertisedAddress"] = "127.0.0.1";
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return await TestSilo.StartAsync(_dataDirectory, all, services =>
        {
            if (observer is not null)
            {
                services.AddSingleton(observer);
            }

            if (logs is not null)
            {
                services.AddSingleton(logs);
            }
        });
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
}
