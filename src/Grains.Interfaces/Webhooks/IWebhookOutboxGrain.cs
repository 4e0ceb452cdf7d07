using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Commands;
using Orleans.Concurrency;

namespace AlarmInbox.Grains.Interfaces.Webhooks;

/// <summary>
/// The webhooks of one tenant (key = tenant id) and its persisted delivery outbox: each alarm revision is POSTed to
/// each enabled webhook, retried with exponential backoff and jitter on a grain timer (a reminder brings the grain
/// back), and dead-lettered after <c>AlarmInbox:Webhooks:MaxAttempts</c> attempts.
/// </summary>
[Alias("alarminbox.IWebhookOutboxGrain")]
public interface IWebhookOutboxGrain : IGrainWithStringKey
{
    /// <summary>Creates a webhook with a new id (<see cref="Ids.EntityIds"/>).</summary>
    /// <param name="settings">The settings with a secret, checked here by <see cref="WebhookSettingsValidator"/>.</param>
    /// <returns>
    /// The webhook, without its secret; or, with nothing changed, a conflict (field <c>tenantId</c>) when the tenant has
    /// <see cref="WebhookSettingsValidator.MaxWebhooks"/> webhooks (checked here, one call at a time, so it cannot be
    /// raced), or invalid input.
    /// </returns>
    [Alias("CreateWebhookAsync")]
    Task<CommandResult<WebhookInfo>> CreateWebhookAsync(WebhookSettings settings);

    /// <summary>Replaces a webhook's settings; a <see langword="null"/> secret keeps the stored one.</summary>
    /// <returns>The webhook; or, with nothing changed, not found (field <c>webhookId</c>) or invalid input.</returns>
    [Alias("UpdateWebhookAsync")]
    Task<CommandResult<WebhookInfo>> UpdateWebhookAsync(string webhookId, WebhookSettings settings);

    /// <summary>Deletes a webhook; its pending deliveries are dropped.</summary>
    /// <returns><see langword="null"/> when deleted; not found (field <c>webhookId</c>) when there is none with this id.</returns>
    [Alias("DeleteWebhookAsync")]
    Task<CommandError?> DeleteWebhookAsync(string webhookId);

    /// <summary>Lists the webhooks, in creation order. Has no side effects.</summary>
    [Alias("ListWebhooksAsync")]
    [AlwaysInterleave]
    Task<IReadOnlyList<WebhookInfo>> ListWebhooksAsync();

    /// <summary>
    /// Adds one delivery per enabled webhook for each alarm revision, persisted before it returns. Idempotent by
    /// (alarm id, revision): a revision already in the outbox is not added again.
    /// </summary>
    /// <param name="alarms">Deliverable alarms (status New or Updated), each as of the revision to deliver.</param>
    [Alias("EnqueueAsync")]
    [AlwaysInterleave]
    Task EnqueueAsync(IReadOnlyList<AlarmRecord> alarms);

    /// <summary>Returns the deliveries of the given alarms (all revisions, every webhook); alarms without any are left out.</summary>
    [Alias("GetDeliveriesAsync")]
    [AlwaysInterleave]
    Task<IReadOnlyDictionary<string, IReadOnlyList<WebhookDelivery>>> GetDeliveriesAsync(IReadOnlyList<string> alarmIds);

    /// <summary>
    /// "Send again": puts a finished delivery (delivered or given up) of one alarm revision to one webhook back into the
    /// queue with its attempts reset, to be sent at once with the same body and <c>Idempotency-Key</c>. A pending
    /// delivery stays as it is.
    /// </summary>
    /// <param name="webhookId">The webhook.</param>
    /// <param name="idempotencyKey">The delivery's key, <c>{alarmId}.{revision}</c>.</param>
    /// <returns>The delivery after the change, or <see langword="null"/> when the outbox holds no such delivery (finished deliveries are kept only up to a limit).</returns>
    [Alias("RedeliverAsync")]
    Task<WebhookDelivery?> RedeliverAsync(string webhookId, string idempotencyKey);

    /// <summary>Deletes the tenant's webhooks (with their secrets) and every delivery, pending or finished (tenant deletion); nothing more is sent. Idempotent.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();

    /// <summary>Activates the outbox so that pending deliveries resume (silo start-up). Idempotent.</summary>
    [Alias("EnsureRunningAsync")]
    Task EnsureRunningAsync();
}
