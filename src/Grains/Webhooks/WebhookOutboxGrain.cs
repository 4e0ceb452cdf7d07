using System.Security.Cryptography;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Ids;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Secrets;
using AlarmInbox.Grains.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Webhooks;

/// <summary>
/// The webhooks and the delivery outbox of a tenant. The webhooks live in the grain state; the deliveries are records
/// in <see cref="IWebhookDeliveryStore"/> (one row each), and the pending ones are also held in memory. A delivery is
/// attempted as soon as it is stored (no timer tick in between), each one on its own so a slow receiver holds up no
/// other; a one-shot grain timer fires when the next retry is due, and a reminder (while deliveries are pending) brings
/// the grain back after deactivation or silo loss. Revisions of one alarm reach a webhook in revision order: a later
/// one waits until the earlier one is delivered or dead-lettered, or, with
/// <see cref="WebhookOptions.SupersedeOlderRevisions"/>, replaces an earlier one that is still waiting. The HTTP edge
/// is <see cref="WebhookSender"/>. <see cref="EnqueueAsync"/> interleaves with running deliveries, so a slow receiver
/// never holds up the alarm pipeline; state writes are serialised by <see cref="_writeGate"/>.
/// </summary>
[GrainType("webhook-outbox")]
public sealed partial class WebhookOutboxGrain(
    [PersistentState("webhook-outbox", StorageNames.Default)] IPersistentState<WebhookOutboxState> state,
    IWebhookDeliveryStore deliveries,
    WebhookSender sender,
    ISecretProtector secrets,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    AlarmMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<WebhookOutboxGrain> logger) : Grain, IWebhookOutboxGrain, IRemindable
{
    private const string WatchdogReminder = "delivery-watchdog";

    private readonly WebhookOptions _options = options.Value;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly PendingDeliveries _pending = new();
    private readonly Dictionary<OutboxEntry, Task> _inFlight = [];
    private readonly Dictionary<string, (string Protected, string Secret)> _secrets = new(StringComparer.Ordinal);
    private IGrainTimer? _timer;
    private bool? _reminderRegistered;
    private bool _deleted;

    private WebhookOutboxState S => state.State;

    private string TenantId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await MigrateLegacyDeliveriesAsync();
        foreach (var entry in await deliveries.ListPendingAsync(TenantId))
        {
            _pending.Add(entry);
        }

        StartDue();
        await ScheduleAsync();
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Let running attempts record their outcome; one that does not finish is attempted again by the next activation.
        await Task.WhenAny(Task.WhenAll(_inFlight.Values), Task.Delay(Timeout.Infinite, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<CommandResult<WebhookInfo>> CreateWebhookAsync(WebhookSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (S.Webhooks.Count >= WebhookSettingsValidator.MaxWebhooks)
        {
            return CommandError.Conflict("tenantId", "Too many webhooks.", $"A tenant may have at most {WebhookSettingsValidator.MaxWebhooks} webhooks.");
        }

        if (CommandError.IfAny(WebhookSettingsValidator.Validate(settings, requireSecret: true)) is { } invalid)
        {
            return invalid;
        }

        var entry = new WebhookEntry
        {
            Id = EntityIds.New(EntityIds.Webhook),
            Name = settings.Name.Trim(),
            Url = settings.Url.Trim(),
            ProtectedSecret = secrets.Protect(settings.Secret!),
            Enabled = settings.Enabled,
            CreatedAt = time.GetUtcNow(),
        };
        S.Webhooks.Add(entry);
        await WriteAsync();
        LogWebhookCreated(logger, TenantId, entry.Id);
        return CommandResult.Ok(entry.ToInfo());
    }

    /// <inheritdoc />
    public async Task<CommandResult<WebhookInfo>> UpdateWebhookAsync(string webhookId, WebhookSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var entry = S.Webhooks.Find(w => w.Id == webhookId);
        if (entry is null)
        {
            return CommandError.WebhookNotFound(TenantId, webhookId);
        }

        if (CommandError.IfAny(WebhookSettingsValidator.Validate(settings, requireSecret: false)) is { } invalid)
        {
            return invalid;
        }

        entry.Name = settings.Name.Trim();
        entry.Url = settings.Url.Trim();
        entry.Enabled = settings.Enabled;
        if (settings.Secret is not null)
        {
            entry.ProtectedSecret = secrets.Protect(settings.Secret);
        }

        await WriteAsync();
        return CommandResult.Ok(entry.ToInfo());
    }

    /// <inheritdoc />
    public async Task<CommandError?> DeleteWebhookAsync(string webhookId)
    {
        if (S.Webhooks.RemoveAll(w => w.Id == webhookId) == 0)
        {
            return CommandError.WebhookNotFound(TenantId, webhookId);
        }

        await WriteAsync();
        await deliveries.DeletePendingAsync(TenantId, webhookId);
        _secrets.Remove(webhookId);
        _pending.RemoveWaitingOf(webhookId);
        await ScheduleAsync();
        return null;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WebhookInfo>> ListWebhooksAsync() =>
        Task.FromResult<IReadOnlyList<WebhookInfo>>(S.Webhooks.Select(w => w.ToInfo()).ToList());

    /// <inheritdoc />
    public async Task EnqueueAsync(IReadOnlyList<AlarmRecord> alarms)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        var now = time.GetUtcNow();
        var entries = new List<OutboxEntry>();
        foreach (var alarm in alarms.Where(a => a.IsDeliverable))
        {
            var body = WebhookPayload.Serialize(alarm);
            foreach (var webhook in S.Webhooks.Where(w => w.Enabled))
            {
                entries.Add(new OutboxEntry
                {
                    WebhookId = webhook.Id,
                    AlarmId = alarm.Id,
                    Revision = alarm.Revision,
                    IdempotencyKey = WebhookPayload.KeyOf(alarm),
                    EventName = alarm.Revision == 1 ? WebhookPayload.Created : WebhookPayload.Updated,
                    Body = body,
                    State = WebhookDeliveryState.Pending,
                    CreatedAt = now,
                    NextAttemptAt = now,
                });
            }
        }

        if (entries.Count == 0)
        {
            return;
        }

        // A revision handed in again after a crash of the alarm pipeline is already stored (queued or delivered): not added.
        IReadOnlyList<OutboxEntry> added;
        try
        {
            added = _deleted ? [] : await deliveries.AddNewRevisionsAsync(TenantId, entries);
            if (added.Count > 0 && _options.SupersedeOlderRevisions)
            {
                await SupersedeAsync(added);
            }
        }
        catch
        {
            // A failed write may have been committed all the same (the reply was lost), and the supersede step changed
            // memory before its write: memory may now miss stored deliveries, which the alarm pipeline's retry would not
            // add again (their revisions are stored). This activation is dropped; the next one reads the pending
            // deliveries from the store.
            DeactivateOnIdle();
            throw;
        }

        if (added.Count == 0)
        {
            return;
        }

        foreach (var entry in added)
        {
            _pending.Add(entry);
        }

        StartDue();
        await ScheduleAsync();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<WebhookDelivery>>> GetDeliveriesAsync(IReadOnlyList<string> alarmIds)
    {
        var stored = await deliveries.ListByAlarmsAsync(TenantId, alarmIds);
        return stored
            .GroupBy(d => d.AlarmId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<WebhookDelivery>)g.Select(d => d.ToDelivery()).ToList(), StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public async Task<WebhookDelivery?> RedeliverAsync(string webhookId, string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(webhookId);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        // The key is "{alarmId}.{revision}": the alarm's deliveries are read, not the whole history.
        var dot = idempotencyKey.LastIndexOf('.');
        if (dot <= 0 || !int.TryParse(idempotencyKey.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var revision))
        {
            return null;
        }

        if (_pending.Find(webhookId, idempotencyKey[..dot], revision) is { } waiting)
        {
            return waiting.ToDelivery();
        }

        if (_deleted)
        {
            return null;
        }

        var stored = await deliveries.ListByAlarmsAsync(TenantId, [idempotencyKey[..dot]]);
        var entry = stored.FirstOrDefault(d => d.WebhookId == webhookId && d.IdempotencyKey == idempotencyKey);
        if (entry is null || entry.State == WebhookDeliveryState.Pending)
        {
            return entry?.ToDelivery();
        }

        entry.State = WebhookDeliveryState.Pending;
        entry.Attempts = 0;
        entry.NextAttemptAt = time.GetUtcNow();
        entry.DeliveredAt = null;
        if ((await deliveries.UpdateAsync(TenantId, [entry])).Count > 0)
        {
            // The row changed since it was read (another activation recorded an attempt): answer what it holds now.
            var current = await deliveries.ListByAlarmsAsync(TenantId, [entry.AlarmId]);
            return current.FirstOrDefault(d => d.WebhookId == webhookId && d.IdempotencyKey == idempotencyKey)?.ToDelivery();
        }

        _pending.Add(entry);
        StartDue();
        await ScheduleAsync();
        return entry.ToDelivery();
    }

    /// <inheritdoc />
    public async Task DeleteAsync()
    {
        // Running attempts end on their own; what they record afterwards updates rows that are gone.
        _deleted = true;
        _pending.Clear();
        _secrets.Clear();
        await deliveries.DeleteTenantAsync(TenantId);
        await _writeGate.WaitAsync();
        try
        {
            await state.ClearStateAsync();
        }
        finally
        {
            _writeGate.Release();
        }

        await ScheduleAsync();
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public Task EnsureRunningAsync()
    {
        StartDue();
        return ScheduleAsync();
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status) => EnsureRunningAsync();

    /// <summary>
    /// Starts every delivery that is due, may go now (no earlier revision of its alarm pending for the same webhook) and
    /// fits into <see cref="WebhookOptions.MaxConcurrentDeliveries"/>. Each runs on the grain's scheduler and starts the
    /// next ones when it ends.
    /// </summary>
    private void StartDue()
    {
        // A silo that stops (shut down, or told by the cluster that it was declared dead after a freeze) starts no
        // attempt: the silo that took over delivers, and one from here could only repeat its request.
        if (_deleted || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return;
        }

        var now = time.GetUtcNow();
        var free = Math.Max(1, _options.MaxConcurrentDeliveries) - _inFlight.Count;
        if (free <= 0)
        {
            return;
        }

        // The index offers only each alarm's lowest pending revision per webhook, and none while it is running.
        foreach (var entry in _pending.Due(now, free))
        {
            _pending.Start(entry);
            _inFlight[entry] = RunAsync(entry);
        }
    }

    private async Task RunAsync(OutboxEntry entry)
    {
        // Let the caller finish its turn first: the attempt goes on in the background of this grain.
        await Task.Yield();
        var overtaken = false;
        try
        {
            // A retry is sent only while the row is as this activation left it: a silo that was frozen while the retry
            // waited, and runs again before it learns that it was declared dead, finds the delivery recorded by the
            // silo that took over. (A first attempt goes at once: its row was written by this activation a moment ago.)
            if (entry.Attempts > 0 && !await deliveries.IsUnchangedAsync(TenantId, entry))
            {
                overtaken = true;
            }
            else
            {
                var attempt = await AttemptAsync(entry, CancellationToken.None);
                Apply(entry, attempt, time.GetUtcNow());
                overtaken = (await deliveries.UpdateAsync(TenantId, [entry])).Count > 0;
            }

            if (overtaken)
            {
                // Another activation (the silo that took over from this one while it was frozen) recorded this delivery
                // meanwhile: its record stands, and this activation lets the delivery go.
                LogOvertaken(logger, TenantId, entry.WebhookId, entry.IdempotencyKey);
            }
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            // Storage failed after the attempt: the entry stays pending in memory and is tried again (at least once).
            LogRecordFailed(logger, TenantId, entry.WebhookId, entry.IdempotencyKey, ex.GetType().Name);
            if (entry.State == WebhookDeliveryState.Pending)
            {
                entry.NextAttemptAt = time.GetUtcNow() + _options.InitialBackoff;
            }
        }
        finally
        {
            _inFlight.Remove(entry);
            _pending.Finish(entry);
            if (overtaken)
            {
                _pending.Remove(entry);
            }
        }

        StartDue();
        await ScheduleAsync();
    }

    /// <summary>Marks waiting (not running) earlier revisions of the alarms in <paramref name="added"/> superseded.</summary>
    private async Task SupersedeAsync(IReadOnlyList<OutboxEntry> added)
    {
        var superseded = added.SelectMany(_pending.WaitingBefore).Distinct().ToList();
        foreach (var entry in superseded)
        {
            _pending.Remove(entry);
            entry.State = WebhookDeliveryState.Superseded;
            entry.NextAttemptAt = null;
            LogSuperseded(logger, TenantId, entry.WebhookId, entry.IdempotencyKey);
        }

        await deliveries.UpdateAsync(TenantId, superseded);
    }

    private async Task<WebhookAttempt> AttemptAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var webhook = S.Webhooks.Find(w => w.Id == entry.WebhookId);
        if (webhook is null)
        {
            return new WebhookAttempt(false, null, "The webhook was deleted.");
        }

        if (SecretOf(webhook) is not { } secret)
        {
            return new WebhookAttempt(false, null, "The stored secret cannot be decrypted (the key ring is not the one it was stored with). Set the secret again.");
        }

        return await sender.SendAsync(webhook.Url, secret, entry.Body, entry.IdempotencyKey, entry.EventName, cancellationToken);
    }

    /// <summary>
    /// The webhook's secret in clear text, or <see langword="null"/> when the key ring cannot decrypt it. Decrypted once
    /// per activation and stored secret (Data Protection's unprotect per delivery was a part of the path from evaluation
    /// to request); held in this activation's memory only, never written or logged, and decrypted again when the stored
    /// secret changes.
    /// </summary>
    private string? SecretOf(WebhookEntry webhook)
    {
        if (_secrets.TryGetValue(webhook.Id, out var cached) && string.Equals(cached.Protected, webhook.ProtectedSecret, StringComparison.Ordinal))
        {
            return cached.Secret;
        }

        try
        {
            var secret = secrets.Unprotect(webhook.ProtectedSecret);
            _secrets[webhook.Id] = (webhook.ProtectedSecret, secret);
            return secret;
        }
        catch (CryptographicException)
        {
            // Not cached: a key ring restored or shared later decrypts it at the next attempt.
            return null;
        }
    }

    private void Apply(OutboxEntry entry, WebhookAttempt attempt, DateTimeOffset now)
    {
        entry.Attempts++;
        entry.LastAttemptAt = now;
        entry.LastStatusCode = attempt.StatusCode;
        if (attempt.Succeeded)
        {
            entry.State = WebhookDeliveryState.Delivered;
            entry.DeliveredAt = now;
            entry.LastError = null;
            entry.NextAttemptAt = null;
            metrics.RecordDelivery(now - entry.CreatedAt, delivered: true);
            LogDelivered(logger, TenantId, entry.WebhookId, entry.IdempotencyKey, entry.Attempts, (now - entry.CreatedAt).TotalMilliseconds);
            return;
        }

        entry.LastError = attempt.Error;
        if (entry.Attempts >= _options.MaxAttempts)
        {
            entry.State = WebhookDeliveryState.DeadLetter;
            entry.NextAttemptAt = null;
            metrics.RecordDelivery(now - entry.CreatedAt, delivered: false);
            LogDeadLetter(logger, TenantId, entry.WebhookId, entry.IdempotencyKey, entry.Attempts, attempt.StatusCode);
            return;
        }

        var delay = WebhookBackoff.Delay(entry.Attempts, _options.InitialBackoff, _options.MaxBackoff, Random.Shared);
        entry.NextAttemptAt = now + delay;
        LogAttemptFailed(logger, TenantId, entry.WebhookId, entry.IdempotencyKey, entry.Attempts, attempt.StatusCode, delay.TotalMilliseconds);
    }

    /// <summary>Arms the one-shot timer for the next due delivery, and keeps the watchdog reminder only while deliveries are pending.</summary>
    private async Task ScheduleAsync()
    {
        // Entries waiting for an earlier revision, or for a free slot, are started when a running attempt ends.
        metrics.ReportBacklog(TenantId, _pending.Count, _pending.OldestCreatedAt);
        var next = _inFlight.Count >= Math.Max(1, _options.MaxConcurrentDeliveries) ? null : _pending.NextAttemptAt;
        if (_pending.Count == 0)
        {
            _timer?.Dispose();
            _timer = null;
            await UnregisterWatchdogAsync();
            return;
        }

        if (next is null)
        {
            // Nothing to wake up for: each running attempt reschedules when it ends.
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        else
        {
            var due = next.Value - time.GetUtcNow();
            if (due < TimeSpan.Zero)
            {
                due = TimeSpan.Zero;
            }

            if (_timer is null)
            {
                _timer = this.RegisterGrainTimer(
                    static (grain, _) => grain.EnsureRunningAsync(),
                    this,
                    new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
            }
            else
            {
                _timer.Change(due, Timeout.InfiniteTimeSpan);
            }
        }

        if (_reminderRegistered != true)
        {
            await this.RegisterOrUpdateReminder(WatchdogReminder, _options.WatchdogPeriod, _options.WatchdogPeriod);
            _reminderRegistered = true;
        }
    }

    private async Task UnregisterWatchdogAsync()
    {
        if (_reminderRegistered == false)
        {
            return;
        }

        var reminder = await this.GetReminder(WatchdogReminder);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }

        _reminderRegistered = false;
    }

    private async Task WriteAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Moves the deliveries that the release before the record tables kept inside this grain's state into the store,
    /// then empties that list. Idempotent: revisions already stored are skipped when it runs again after a crash.
    /// </summary>
    private async Task MigrateLegacyDeliveriesAsync()
    {
        if (S.Deliveries.Count == 0)
        {
            return;
        }

        var count = S.Deliveries.Count;
        // Whole revisions per chunk: the store skips a revision that has any delivery already, so the deliveries of one
        // revision to several webhooks must not be split between two chunks.
        foreach (var chunk in S.Deliveries.GroupBy(d => (d.AlarmId, d.Revision)).Chunk(200))
        {
            await deliveries.AddNewRevisionsAsync(TenantId, [.. chunk.SelectMany(revision => revision)]);
        }

        S.Deliveries = [];
        await WriteAsync();
        LogMigrated(logger, TenantId, count);
    }


    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Tenant {TenantId}: moved {Count} webhook deliveries from the grain state into the record table")]
    private static partial void LogMigrated(ILogger logger, string tenantId, int count);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Tenant {TenantId}: recording the outcome of {IdempotencyKey} to webhook {WebhookId} failed ({ExceptionType}); it stays pending")]
    private static partial void LogRecordFailed(ILogger logger, string tenantId, string webhookId, string idempotencyKey, string exceptionType);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Information, Message = "Tenant {TenantId}: delivery of {IdempotencyKey} to webhook {WebhookId} superseded by a later revision")]
    private static partial void LogSuperseded(ILogger logger, string tenantId, string webhookId, string idempotencyKey);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Tenant {TenantId}: webhook {WebhookId} created")]
    private static partial void LogWebhookCreated(ILogger logger, string tenantId, string webhookId);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Tenant {TenantId}: delivered {IdempotencyKey} to webhook {WebhookId} at attempt {Attempts}, {LatencyMs:0} ms after it was queued")]
    private static partial void LogDelivered(ILogger logger, string tenantId, string webhookId, string idempotencyKey, int attempts, double latencyMs);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Tenant {TenantId}: delivery of {IdempotencyKey} to webhook {WebhookId} failed (attempt {Attempts}, status {StatusCode}); next in {DelayMs:0} ms")]
    private static partial void LogAttemptFailed(ILogger logger, string tenantId, string webhookId, string idempotencyKey, int attempts, int? statusCode, double delayMs);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Error, Message = "Tenant {TenantId}: delivery of {IdempotencyKey} to webhook {WebhookId} dead-lettered after {Attempts} attempts (last status {StatusCode})")]
    private static partial void LogDeadLetter(ILogger logger, string tenantId, string webhookId, string idempotencyKey, int attempts, int? statusCode);

    [LoggerMessage(EventId = 2109, Level = LogLevel.Warning, Message = "Tenant {TenantId}: delivery of {IdempotencyKey} to webhook {WebhookId} was recorded by another activation meanwhile (a silo took over from this one); its record stands")]
    private static partial void LogOvertaken(ILogger logger, string tenantId, string webhookId, string idempotencyKey);
}
