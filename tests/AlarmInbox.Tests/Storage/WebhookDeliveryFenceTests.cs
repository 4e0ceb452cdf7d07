using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Webhooks;
using AlarmInbox.Silo.Storage;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Storage;

/// <summary>
/// A silo frozen while its outbox waited for a retry, thawed after another silo had taken over and delivered, wrote its
/// stale attempt over the delivered row (found by a breaker: the row went back to pending, so the next activation sent
/// the webhook a third time). <see cref="SqlWebhookDeliveryStore.UpdateAsync"/> now writes a row only while it holds
/// what the writer last saw of it; on the real SQLite file and the real PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WebhookDeliveryFenceTests(PostgresServer postgres) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ai-fence-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(StorageProviderNames.Sqlite)]
    [InlineData(StorageProviderNames.PostgreSql)]
    public async Task AStaleActivationsAttemptCannotSetADeliveredRowBackAndARedeliveryStartsFromWhatIsStored(string provider)
    {
        var store = new SqlWebhookDeliveryStore(await DatabaseAsync(provider));
        var created = DateTimeOffset.UtcNow;
        Assert.Single(await store.AddNewRevisionsAsync("ff-fence", [Entry(created)]));

        // Two activations read the same pending row: the frozen one (stale) and the one that took over.
        var stale = Assert.Single(await store.ListPendingAsync("ff-fence"));
        var current = Assert.Single(await store.ListPendingAsync("ff-fence"));
        current.State = WebhookDeliveryState.Delivered;
        current.Attempts = 1;
        current.DeliveredAt = created.AddSeconds(5);
        Assert.Empty(await store.UpdateAsync("ff-fence", [current]));

        // Before its retry the thawed activation asks whether the row is as it left it: no, so it sends nothing.
        Assert.False(await store.IsUnchangedAsync("ff-fence", stale));
        Assert.True(await store.IsUnchangedAsync("ff-fence", current));

        // Had it sent anyway, its record of that (failed) attempt is refused: the delivered row stays as it is.
        stale.Attempts = 1;
        stale.LastError = "connection reset";
        stale.NextAttemptAt = created.AddSeconds(10);
        Assert.Same(stale, Assert.Single(await store.UpdateAsync("ff-fence", [stale])));
        var row = Assert.Single(await store.ListByAlarmsAsync("ff-fence", ["alm-fence"]));
        Assert.Equal((WebhookDeliveryState.Delivered, 1, (string?)null), (row.State, row.Attempts, row.LastError));
        Assert.Empty(await store.ListPendingAsync("ff-fence"));

        // A redelivery read from the store goes through, and the writer's next update is fenced on what it wrote itself.
        row.State = WebhookDeliveryState.Pending;
        row.Attempts = 0;
        row.DeliveredAt = null;
        Assert.Empty(await store.UpdateAsync("ff-fence", [row]));
        row.State = WebhookDeliveryState.Delivered;
        row.Attempts = 1;
        Assert.Empty(await store.UpdateAsync("ff-fence", [row]));
        Assert.Equal((WebhookDeliveryState.Delivered, 1), (row.StoredState, row.StoredAttempts));
    }

    private async Task<HistoryDatabase> DatabaseAsync(string provider)
    {
        if (provider == StorageProviderNames.Sqlite)
        {
            var sqlite = $"Data Source={Path.Combine(_directory, "alarminbox.db")}";
            await SqliteSchema.EnsureCreatedAsync(sqlite, CancellationToken.None);
            return new HistoryDatabase(provider, sqlite);
        }

        var db = await postgres.CreateDatabaseAsync();
        await ClusterSchema.EnsureCreatedAsync(provider, db, CancellationToken.None);
        return new HistoryDatabase(provider, db);
    }

    private static OutboxEntry Entry(DateTimeOffset created) => new()
    {
        WebhookId = "whk-fence",
        AlarmId = "alm-fence",
        Revision = 1,
        IdempotencyKey = "alm-fence.1",
        EventName = "alarm.created",
        Body = "{}"u8.ToArray(),
        State = WebhookDeliveryState.Pending,
        CreatedAt = created,
        NextAttemptAt = created,
    };
}
