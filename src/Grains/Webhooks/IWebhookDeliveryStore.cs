namespace AlarmInbox.Grains.Webhooks;

/// <summary>
/// Where a tenant's webhook deliveries are kept as records (one row per alarm revision and webhook), so that queueing
/// or updating one costs the same whatever is stored. <see cref="WebhookOutboxGrain"/> decides; this adapter stores.
/// </summary>
public interface IWebhookDeliveryStore
{
    /// <summary>The tenant's pending deliveries, oldest first.</summary>
    Task<IReadOnlyList<OutboxEntry>> ListPendingAsync(string tenantId);

    /// <summary>
    /// Adds the deliveries of alarm revisions that have none yet (of any webhook), in one transaction; returns those added.
    /// A revision handed in again after a crash therefore adds nothing.
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>> AddNewRevisionsAsync(string tenantId, IReadOnlyList<OutboxEntry> entries);

    /// <summary>
    /// Writes the state, attempts and times of these deliveries, each only if its row still holds the state and attempts
    /// the entry was read or last written with (<see cref="OutboxEntry.StoredState"/>, <see cref="OutboxEntry.StoredAttempts"/>;
    /// an entry without a stored state is written regardless). Written entries are marked stored.
    /// </summary>
    /// <returns>The entries not written because their row changed meanwhile (another activation recorded them).</returns>
    Task<IReadOnlyList<OutboxEntry>> UpdateAsync(string tenantId, IReadOnlyList<OutboxEntry> entries);

    /// <summary>
    /// Whether the delivery's row still holds the state and attempts this activation last read or wrote
    /// (<see cref="OutboxEntry.StoredState"/>; <see langword="true"/> when that is not known). Asked before a retry, so that
    /// a silo that was frozen and comes back after another took over does not send what that one already recorded.
    /// </summary>
    Task<bool> IsUnchangedAsync(string tenantId, OutboxEntry entry);

    /// <summary>All deliveries of the given alarms, oldest first.</summary>
    Task<IReadOnlyList<OutboxEntry>> ListByAlarmsAsync(string tenantId, IReadOnlyList<string> alarmIds);

    /// <summary>Deletes the pending deliveries to a webhook (it was deleted).</summary>
    Task DeletePendingAsync(string tenantId, string webhookId);

    /// <summary>Deletes every delivery of the tenant.</summary>
    Task DeleteTenantAsync(string tenantId);
}
