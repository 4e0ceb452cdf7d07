using System.Security.Cryptography;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Secrets;
using AlarmInbox.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Webhooks;

/// <summary>
/// The webhooks and the persisted delivery outbox of a tenant. A one-shot grain timer fires when the next delivery is
/// due; a reminder (while deliveries are pending) brings the grain back after deactivation or silo loss. The HTTP edge
/// is <see cref="WebhookSender"/>. <see cref="EnqueueAsync"/> interleaves with a running delivery round, so a slow
/// receiver never holds up the mailbox poll; state writes are serialised by <see cref="_writeGate"/>.
/// </summary>
[GrainType("webhook-outbox")]
public sealed partial class WebhookOutboxGrain(
    [PersistentState("webhook-outbox", StorageNames.Default)] IPersistentState<WebhookOutboxState> state,
    WebhookSender sender,
    ISecretProtector secrets,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    AlarmMetrics metrics,
    ILogger<WebhookOutboxGrain> logger) : Grain, IWebhookOutboxGrain, IRemindable
{
    private const string WatchdogReminder = "delivery-watchdog";
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private readonly WebhookOptions _options = options.Value;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private IGrainTimer? _timer;
    private bool? _reminderRegistered;

    private WebhookOutboxState S => state.State;

    private string TenantId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken) => ScheduleAsync();

    /// <inheritdoc />
    public async Task<WebhookInfo> CreateWebhookAsync(WebhookSettings settings)
    {
        ThrowIfInvalid(settings, requireSecret: true);
        if (S.Webhooks.Count >= WebhookSettingsValidator.MaxWebhooks)
        {
            throw new ArgumentException($"A tenant may have at most {WebhookSettingsValidator.MaxWebhooks} webhooks.", nameof(settings));
        }

        var entry = new WebhookEntry
        {
            Id = "whk-" + RandomNumberGenerator.GetString(IdAlphabet, 16),
            Name = settings.Name.Trim(),
            Url = settings.Url.Trim(),
            ProtectedSecret = secrets.Protect(settings.Secret!),
            Enabled = settings.Enabled,
            CreatedAt = time.GetUtcNow(),
        };
        S.Webhooks.Add(entry);
        await WriteAsync();
        LogWebhookCreated(logger, TenantId, entry.Id);
        return entry.ToInfo();
    }

    /// <inheritdoc />
    public async Task<WebhookInfo?> UpdateWebhookAsync(string webhookId, WebhookSettings settings)
    {
        var entry = S.Webhooks.Find(w => w.Id == webhookId);
        if (entry is null)
        {
            return null;
        }

        ThrowIfInvalid(settings, requireSecret: false);
        entry.Name = settings.Name.Trim();
        entry.Url = settings.Url.Trim();
        entry.Enabled = settings.Enabled;
        if (settings.Secret is not null)
        {
            entry.ProtectedSecret = secrets.Protect(settings.Secret);
        }

        await WriteAsync();
        return entry.ToInfo();
    }

    /// <inheritdoc />
    public async Task<bool> DeleteWebhookAsync(string webhookId)
    {
        if (S.Webhooks.RemoveAll(w => w.Id == webhookId) == 0)
        {
            return false;
        }

        S.Deliveries.RemoveAll(d => d.WebhookId == webhookId && d.State == WebhookDeliveryState.Pending);
        await WriteAsync();
        await ScheduleAsync();
        return true;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WebhookInfo>> ListWebhooksAsync() =>
        Task.FromResult<IReadOnlyList<WebhookInfo>>(S.Webhooks.Select(w => w.ToInfo()).ToList());

    /// <inheritdoc />
    public async Task EnqueueAsync(IReadOnlyList<AlarmRecord> alarms)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        var now = time.GetUtcNow();
        var added = 0;
        foreach (var alarm in alarms.Where(a => a.IsDeliverable))
        {
            if (S.Deliveries.Exists(d => d.AlarmId == alarm.Id && d.Revision == alarm.Revision))
            {
                // Handed in again after a crash of the alarm pipeline: already queued (or delivered).
                continue;
            }

            var body = WebhookPayload.Serialize(alarm);
            foreach (var webhook in S.Webhooks.Where(w => w.Enabled))
            {
                S.Deliveries.Add(new OutboxEntry
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
                added++;
            }
        }

        if (added > 0)
        {
            await WriteAsync();
            await ScheduleAsync();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, IReadOnlyList<WebhookDelivery>>> GetDeliveriesAsync(IReadOnlyList<string> alarmIds)
    {
        var wanted = alarmIds.ToHashSet(StringComparer.Ordinal);
        IReadOnlyDictionary<string, IReadOnlyList<WebhookDelivery>> result = S.Deliveries
            .Where(d => wanted.Contains(d.AlarmId))
            .GroupBy(d => d.AlarmId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<WebhookDelivery>)g.Select(d => d.ToDelivery()).ToList(), StringComparer.Ordinal);
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public async Task<WebhookDelivery?> RedeliverAsync(string webhookId, string idempotencyKey)
    {
        var entry = S.Deliveries.FirstOrDefault(d => d.WebhookId == webhookId && d.IdempotencyKey == idempotencyKey);
        if (entry is null || entry.State == WebhookDeliveryState.Pending)
        {
            return entry?.ToDelivery();
        }

        entry.State = WebhookDeliveryState.Pending;
        entry.Attempts = 0;
        entry.NextAttemptAt = time.GetUtcNow();
        entry.DeliveredAt = null;
        await WriteAsync();
        await ScheduleAsync();
        return entry.ToDelivery();
    }

    /// <inheritdoc />
    public Task EnsureRunningAsync() => ScheduleAsync();

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status) => ScheduleAsync();

    private async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = S.Deliveries
            .Where(d => d.State == WebhookDeliveryState.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt)
            .Take(Math.Max(1, _options.MaxConcurrentDeliveries))
            .ToList();
        if (due.Count > 0)
        {
            var attempts = await Task.WhenAll(due.Select(d => AttemptAsync(d, cancellationToken)));
            var finished = time.GetUtcNow();
            for (var i = 0; i < due.Count; i++)
            {
                Apply(due[i], attempts[i], finished);
            }

            TrimFinished();
            await WriteAsync();
        }

        await ScheduleAsync();
    }

    private async Task<WebhookAttempt> AttemptAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var webhook = S.Webhooks.Find(w => w.Id == entry.WebhookId);
        if (webhook is null)
        {
            return new WebhookAttempt(false, null, "The webhook was deleted.");
        }

        string secret;
        try
        {
            secret = secrets.Unprotect(webhook.ProtectedSecret);
        }
        catch (CryptographicException)
        {
            return new WebhookAttempt(false, null, "The stored secret cannot be decrypted (the key ring is not the one it was stored with). Set the secret again.");
        }

        return await sender.SendAsync(webhook.Url, secret, entry.Body, entry.IdempotencyKey, entry.EventName, cancellationToken);
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

    private void TrimFinished()
    {
        var finished = S.Deliveries.Count(d => d.State != WebhookDeliveryState.Pending);
        var excess = finished - _options.KeptDeliveries;
        if (excess <= 0)
        {
            return;
        }

        var drop = S.Deliveries.Where(d => d.State != WebhookDeliveryState.Pending).Take(excess).ToHashSet();
        S.Deliveries.RemoveAll(drop.Contains);
    }

    /// <summary>Arms the one-shot timer for the next due delivery, and keeps the watchdog reminder only while deliveries are pending.</summary>
    private async Task ScheduleAsync()
    {
        var pending = S.Deliveries.Where(d => d.State == WebhookDeliveryState.Pending).ToList();
        metrics.ReportBacklog(TenantId, pending.Count, pending.Count == 0 ? null : pending.Min(d => d.CreatedAt));
        var next = pending.Min(d => d.NextAttemptAt);
        if (next is null)
        {
            _timer?.Dispose();
            _timer = null;
            if (_reminderRegistered != false)
            {
                var reminder = await this.GetReminder(WatchdogReminder);
                if (reminder is not null)
                {
                    await this.UnregisterReminder(reminder);
                }

                _reminderRegistered = false;
            }

            return;
        }

        var due = next.Value - time.GetUtcNow();
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }

        if (_timer is null)
        {
            _timer = this.RegisterGrainTimer(
                static (grain, ct) => grain.DeliverDueAsync(ct),
                this,
                new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }

        if (_reminderRegistered != true)
        {
            await this.RegisterOrUpdateReminder(WatchdogReminder, _options.WatchdogPeriod, _options.WatchdogPeriod);
            _reminderRegistered = true;
        }
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

    private static void ThrowIfInvalid(WebhookSettings settings, bool requireSecret)
    {
        var errors = WebhookSettingsValidator.Validate(settings, requireSecret);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors.SelectMany(e => e.Value)), nameof(settings));
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Tenant {TenantId}: webhook {WebhookId} created")]
    private static partial void LogWebhookCreated(ILogger logger, string tenantId, string webhookId);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Tenant {TenantId}: delivered {IdempotencyKey} to webhook {WebhookId} at attempt {Attempts}, {LatencyMs:0} ms after it was queued")]
    private static partial void LogDelivered(ILogger logger, string tenantId, string webhookId, string idempotencyKey, int attempts, double latencyMs);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Tenant {TenantId}: delivery of {IdempotencyKey} to webhook {WebhookId} failed (attempt {Attempts}, status {StatusCode}); next in {DelayMs:0} ms")]
    private static partial void LogAttemptFailed(ILogger logger, string tenantId, string webhookId, string idempotencyKey, int attempts, int? statusCode, double delayMs);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Error, Message = "Tenant {TenantId}: delivery of {IdempotencyKey} to webhook {WebhookId} dead-lettered after {Attempts} attempts (last status {StatusCode})")]
    private static partial void LogDeadLetter(ILogger logger, string tenantId, string webhookId, string idempotencyKey, int attempts, int? statusCode);
}
