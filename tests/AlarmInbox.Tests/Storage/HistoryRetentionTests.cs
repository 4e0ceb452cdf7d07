using System.Globalization;
using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Security;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Security;
using AlarmInbox.Grains.Webhooks;
using AlarmInbox.Silo.Storage;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AlarmInbox.Tests.Storage;

/// <summary>
/// The settings of <c>AlarmInbox:Retention</c> are honoured by the silo's background retention step: a real SQLite
/// database with the product's schema and stores, the step as the silo registers it (bound from configuration), and a
/// fake clock that the test moves to the step's due times.
/// </summary>
public sealed class HistoryRetentionTests : IAsyncLifetime
{
    private const string Tenant = "ff-retention";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-01T08:00:00Z", CultureInfo.InvariantCulture);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ai-retention-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly TimerCountingClock _clock = new(Start);
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var connectionString = $"Data Source={Path.Combine(_directory, "alarminbox.db")}";
        await SqliteSchema.EnsureCreatedAsync(connectionString, CancellationToken.None);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Each shorter than its default (1 min, 10 min, none, none, 400 days), so that a step ignoring one of them
            // does not run at the test's moments or deletes nothing.
            ["AlarmInbox:Retention:FirstRunDelay"] = "00:00:10",
            ["AlarmInbox:Retention:Interval"] = "00:02:00",
            ["AlarmInbox:Retention:AlarmMaxAge"] = "1.00:00:00",
            ["AlarmInbox:Retention:DeliveryMaxAge"] = "2.00:00:00",
            ["AlarmInbox:Retention:AuditMaxAge"] = "3.00:00:00",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(_clock)
            .AddLogging();
        services.AddHistoryStore(StorageProviderNames.Sqlite, connectionString);
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempFolder.DeleteQuietly(_directory);
    }

    [Fact]
    public async Task TheRetentionStepRunsAfterFirstRunDelayThenEveryIntervalAndDeletesWhatIsOlderThanEachMaxAge()
    {
        var alarms = _services.GetRequiredService<IAlarmStore>();
        var deliveries = _services.GetRequiredService<IWebhookDeliveryStore>();
        var audit = _services.GetRequiredService<IAuditStore>();
        await alarms.AppendAsync(Tenant, new AlarmAppend { Alarms = [Alarm("alm-old", Start.AddDays(-2)), Alarm("alm-new", Start.AddHours(-1))] });
        await deliveries.AddNewRevisionsAsync(Tenant, [
            Delivery("alm-d-old", Start.AddDays(-3), WebhookDeliveryState.Delivered),
            Delivery("alm-d-new", Start.AddHours(-1), WebhookDeliveryState.Delivered),
            Delivery("alm-d-pending", Start.AddDays(-3), WebhookDeliveryState.Pending),
        ]);
        await audit.AppendAsync([Audit("/old", Start.AddDays(-4)), Audit("/new", Start.AddHours(-1))]);
        var step = _services.GetServices<IHostedService>().OfType<HistoryRetentionService>().Single();

        await step.StartAsync(CancellationToken.None);
        try
        {
            // The step waits for its first run on the clock; FirstRunDelay later it runs.
            await Eventually.WaitForAsync(() => Task.FromResult(_clock.Timers), n => n >= 1, Wait, "the step's first wait");
            _clock.Advance(TimeSpan.FromSeconds(10));
            var audited = await Eventually.WaitForAsync(
                async () => (await audit.ListNewestAsync(10)).Select(a => a.Route).ToList(), r => r.Count == 1, Wait, "the first run (the audit log comes last)");
            var kept = (await alarms.ListAsync(Tenant, new AlarmQuery())).Select(a => a.Id).ToList();
            var keptDeliveries = (await deliveries.ListByAlarmsAsync(Tenant, ["alm-d-old", "alm-d-new", "alm-d-pending"])).Select(d => d.AlarmId).Order(StringComparer.Ordinal).ToList();

            // An alarm that is old by the time of the next run: it goes Interval after the first run.
            await Eventually.WaitForAsync(() => Task.FromResult(_clock.Timers), n => n >= 2, Wait, "the step's wait for its next run");
            await alarms.AppendAsync(Tenant, new AlarmAppend { Alarms = [Alarm("alm-later", Start.AddDays(-1).AddMinutes(1))] });
            _clock.Advance(TimeSpan.FromMinutes(2));
            var afterSecondRun = await Eventually.WaitForAsync(
                async () => (await alarms.ListAsync(Tenant, new AlarmQuery())).Select(a => a.Id).ToList(), ids => !ids.Contains("alm-later"), Wait, "the second run");

            Assert.Equal(["/new"], audited);
            Assert.Equal(["alm-new"], kept);
            Assert.Equal(["alm-d-new", "alm-d-pending"], keptDeliveries); // pending deliveries are never deleted
            Assert.Equal(["alm-new"], afterSecondRun);
        }
        finally
        {
            await step.StopAsync(CancellationToken.None);
        }
    }

    private static AlarmRecord Alarm(string id, DateTimeOffset evaluatedAt) => new()
    {
        Id = id,
        TenantId = Tenant,
        Status = AlarmStatus.New,
        Revision = 1,
        Source = new AlarmSource { MailboxId = "mbx-retention", UidValidity = 1, Uid = 1, SentAt = evaluatedAt },
        ReceivedAt = evaluatedAt,
        EvaluatedAt = evaluatedAt,
        IncidentNumber = id,
    };

    private static OutboxEntry Delivery(string alarmId, DateTimeOffset createdAt, WebhookDeliveryState state) => new()
    {
        WebhookId = "whk-retention",
        AlarmId = alarmId,
        Revision = 1,
        IdempotencyKey = alarmId + "/1",
        EventName = "alarm.created",
        Body = [(byte)'{', (byte)'}'],
        State = state,
        CreatedAt = createdAt,
        DeliveredAt = state == WebhookDeliveryState.Delivered ? createdAt : null,
    };

    private static AuditEntry Audit(string route, DateTimeOffset at) => new(at, "key-retention", "GET", route, Tenant, null, 200);

    /// <summary>A fake clock that counts the timers created on it, so that the test moves time only once the step waits.</summary>
    private sealed class TimerCountingClock(DateTimeOffset start) : TimeProvider
    {
        private readonly FakeTimeProvider _clock = new(start);
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public void Advance(TimeSpan delta) => _clock.Advance(delta);

        public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

        public override long GetTimestamp() => _clock.GetTimestamp();

        public override long TimestampFrequency => _clock.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            // Counted once the timer is on the fake clock: moved earlier, a test could advance the clock before the timer
            // took its due time from it, and the timer would wait for another advance that never comes.
            var timer = _clock.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
    }
}
