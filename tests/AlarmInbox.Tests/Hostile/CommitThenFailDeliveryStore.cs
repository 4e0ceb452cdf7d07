using AlarmInbox.Grains.Webhooks;

namespace AlarmInbox.Tests.Hostile;

/// <summary>
/// The real delivery store with one fault on demand: after <see cref="FailNextAdd"/>, the next
/// <see cref="AddNewRevisionsAsync"/> commits its rows and then throws, as a database whose reply is lost after the commit.
/// </summary>
public sealed class CommitThenFailDeliveryStore : IWebhookDeliveryStore
{
    private IWebhookDeliveryStore? _inner;
    private int _failNext;

    /// <summary>Wraps <paramref name="inner"/> (the silo's own store, built once its database is known); returns this.</summary>
    public IWebhookDeliveryStore Over(IWebhookDeliveryStore inner)
    {
        _inner = inner;
        return this;
    }

    /// <summary>Makes the next <see cref="AddNewRevisionsAsync"/> throw after its commit.</summary>
    public void FailNextAdd() => Volatile.Write(ref _failNext, 1);

    private IWebhookDeliveryStore Inner => _inner ?? throw new InvalidOperationException("Over() was not called.");

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxEntry>> AddNewRevisionsAsync(string tenantId, IReadOnlyList<OutboxEntry> entries)
    {
        var added = await Inner.AddNewRevisionsAsync(tenantId, entries);
        if (Interlocked.Exchange(ref _failNext, 0) == 1)
        {
            throw new TimeoutException("The reply to a committed insert was lost (test fault).");
        }

        return added;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OutboxEntry>> ListPendingAsync(string tenantId) => Inner.ListPendingAsync(tenantId);

    /// <inheritdoc />
    public Task<IReadOnlyList<OutboxEntry>> UpdateAsync(string tenantId, IReadOnlyList<OutboxEntry> entries) => Inner.UpdateAsync(tenantId, entries);

    /// <inheritdoc />
    public Task<bool> IsUnchangedAsync(string tenantId, OutboxEntry entry) => Inner.IsUnchangedAsync(tenantId, entry);

    /// <inheritdoc />
    public Task<IReadOnlyList<OutboxEntry>> ListByAlarmsAsync(string tenantId, IReadOnlyList<string> alarmIds) => Inner.ListByAlarmsAsync(tenantId, alarmIds);

    /// <inheritdoc />
    public Task DeletePendingAsync(string tenantId, string webhookId) => Inner.DeletePendingAsync(tenantId, webhookId);

    /// <inheritdoc />
    public Task DeleteTenantAsync(string tenantId) => Inner.DeleteTenantAsync(tenantId);
}
