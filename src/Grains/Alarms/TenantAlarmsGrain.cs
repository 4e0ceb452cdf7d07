using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Grains.Mime;
using AlarmInbox.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// The alarm pipeline of a tenant. Orchestrates only: <see cref="AlarmEvaluator"/> evaluates, <see cref="IncidentMerger"/>
/// merges, the webhook outbox delivers. Exactly one record per mail: keys of handled mails are persisted together with
/// the alarms, so a batch handed in again (crash before the mailbox wrote its watermark) changes nothing.
/// </summary>
[GrainType("tenant-alarms")]
public sealed partial class TenantAlarmsGrain(
    [PersistentState("tenant-alarms", StorageNames.Default)] IPersistentState<TenantAlarmsState> state,
    AlarmEvaluator evaluator,
    MailDecoder decoder,
    TimeProvider time,
    IOptions<AlarmOptions> options,
    AlarmMetrics metrics,
    ILogger<TenantAlarmsGrain> logger) : Grain, ITenantAlarmsGrain
{
    private readonly AlarmOptions _options = options.Value;
    private HashSet<string> _processed = new(StringComparer.Ordinal);

    private TenantAlarmsState S => state.State;

    private string TenantId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _processed = new HashSet<string>(S.ProcessedKeys, StringComparer.Ordinal);
        if (S.PendingHandoff.Count > 0)
        {
            // Stored but not confirmed by the outbox before the last deactivation or crash: hand off again (idempotent).
            this.RegisterGrainTimer(static (grain, _) => grain.HandOffAsync(), this, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<int> IngestAsync(string mailboxId, IReadOnlyList<MailMessage> messages)
    {
        ArgumentException.ThrowIfNullOrEmpty(mailboxId);
        ArgumentNullException.ThrowIfNull(messages);
        var now = time.GetUtcNow();
        var changed = 0;
        var remembered = false;
        foreach (var message in messages)
        {
            var key = $"{mailboxId}/{message.UidValidity}/{message.Uid}";
            var contentKey = $"{mailboxId}/{MessageKeys.ContentKey(message)}";
            if (_processed.Contains(key))
            {
                continue;
            }

            remembered = true;
            Remember(key);
            if (!Remember(contentKey))
            {
                // The same mail under another UID (UIDVALIDITY changed, or moved back): already handled.
                LogDuplicate(logger, TenantId, mailboxId, message.UidValidity, message.Uid);
                continue;
            }

            var settings = Effective(mailboxId);
            if (!settings.Enabled)
            {
                continue;
            }

            var evaluation = evaluator.Evaluate(message, settings, now);
            var record = IncidentMerger.Build(TenantId, Source(mailboxId, message, evaluation), evaluation, settings, S.Alarms, now);
            S.Alarms.RemoveAll(a => a.Id == record.Id);
            S.Alarms.Add(record);
            if (record.IsDeliverable)
            {
                S.PendingHandoff.Add(record);
            }

            changed++;
            LogEvaluated(logger, TenantId, mailboxId, message.Uid, record.Id, record.Status, record.Revision, evaluation.RuleErrors.Count, evaluation.DurationMs);
            metrics.RecordMailToAlarm(now - (message.InternalDate ?? message.FetchedAt));
        }

        if (!remembered)
        {
            return 0;
        }

        Trim();
        await state.WriteStateAsync();
        await HandOffAsync();
        return changed;
    }

    /// <inheritdoc />
    public Task<EvaluationSettings> GetSettingsAsync() => Task.FromResult(S.Settings);

    /// <inheritdoc />
    public async Task<EvaluationSettings> SetSettingsAsync(EvaluationSettings settings)
    {
        ThrowIfInvalid(settings);
        foreach (var (mailboxId, mailboxOverride) in S.MailboxOverrides)
        {
            ThrowIfInvalid(mailboxOverride.ApplyTo(settings));
        }

        S.Settings = settings;
        await state.WriteStateAsync();
        return S.Settings;
    }

    /// <inheritdoc />
    public Task<MailboxEvaluationSettings> GetMailboxSettingsAsync(string mailboxId) =>
        Task.FromResult(new MailboxEvaluationSettings(S.MailboxOverrides.GetValueOrDefault(mailboxId), Effective(mailboxId)));

    /// <inheritdoc />
    public async Task<MailboxEvaluationSettings> SetMailboxSettingsAsync(string mailboxId, EvaluationOverride? settings)
    {
        if (settings is null)
        {
            S.MailboxOverrides.Remove(mailboxId);
        }
        else
        {
            ThrowIfInvalid(settings.ApplyTo(S.Settings));
            S.MailboxOverrides[mailboxId] = settings;
        }

        await state.WriteStateAsync();
        return await GetMailboxSettingsAsync(mailboxId);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AlarmRecord>> ListAsync(AlarmQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        IReadOnlyList<AlarmRecord> result = S.Alarms
            .Select((alarm, index) => (alarm, index))
            .Where(x => query.Since is null || x.alarm.EvaluatedAt >= query.Since)
            .Where(x => query.MailboxId is null || x.alarm.History.Any(r => r.Source.MailboxId == query.MailboxId))
            .Where(x => query.Status is null || x.alarm.Status == query.Status)
            .OrderByDescending(x => x.alarm.EvaluatedAt)
            .ThenByDescending(x => x.index)
            .Take(Math.Clamp(query.Limit, 1, AlarmLimits.MaxAlarmsPage))
            .Select(x => x.alarm)
            .ToList();
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<AlarmRecord?> GetAsync(string alarmId) => Task.FromResult(S.Alarms.Find(a => a.Id == alarmId));

    /// <inheritdoc />
    public Task<AlarmPreview> PreviewAsync(string mailboxId, AlarmTestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = time.GetUtcNow();
        var message = ToMessage(input, now);
        var settings = Effective(mailboxId);
        var evaluation = evaluator.Evaluate(message, settings, now);
        var alarm = settings.Enabled
            ? IncidentMerger.Build(TenantId, Source(mailboxId, message, evaluation), evaluation, settings, S.Alarms, now, id: "alm-preview")
            : null;
        return Task.FromResult(new AlarmPreview(evaluation, alarm, settings));
    }

    /// <inheritdoc />
    public Task EnsureHandedOffAsync() => HandOffAsync();

    private MailMessage ToMessage(AlarmTestInput input, DateTimeOffset now)
    {
        if (input.RawMessage is { } raw)
        {
            if (raw.Length == 0 || raw.Length > AlarmLimits.MaxTestMessageBytes)
            {
                throw new ArgumentException($"The message must be 1 to {AlarmLimits.MaxTestMessageBytes} bytes.", nameof(input));
            }

            using var stream = new MemoryStream(raw, writable: false);
            try
            {
                return decoder.Decode(stream, 0, 0, null, raw.Length, now, CancellationToken.None);
            }
            catch (FormatException)
            {
                // A pasted fragment rather than a mail: the caller's mistake (400), not a failure of ours.
                throw new ArgumentException("The body is not a mail (message/rfc822 needs headers, a blank line and a body); send plain text as text/plain.", nameof(input));
            }
        }

        var text = (input.Text ?? "").ReplaceLineEndings("\n").TrimEnd();
        if (text.Length == 0 || text.Length > MailMessage.MaxTextLength)
        {
            throw new ArgumentException($"The text must be 1 to {MailMessage.MaxTextLength} characters.", nameof(input));
        }

        return new MailMessage { UidValidity = 0, Uid = 0, Subject = input.Subject ?? "", From = input.From, Text = text, FetchedAt = now };
    }

    private async Task HandOffAsync()
    {
        if (S.PendingHandoff.Count == 0)
        {
            return;
        }

        var pending = S.PendingHandoff.ToList();
        await GrainFactory.GetGrain<IWebhookOutboxGrain>(TenantId).EnqueueAsync(pending);
        S.PendingHandoff.RemoveRange(0, pending.Count);
        await state.WriteStateAsync();

        // Best effort for consumers inside the cluster; the durable path is the outbox above.
        var stream = this.GetStreamProvider(AlarmStreams.ProviderName).GetStream<AlarmRecord>(StreamId.Create(AlarmStreams.Namespace, TenantId));
        try
        {
            await stream.OnNextBatchAsync(pending);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            LogStreamFailed(logger, TenantId, pending.Count, ex.GetType().Name);
        }
    }

    private AlarmSource Source(string mailboxId, MailMessage message, AlarmEvaluation evaluation) => new()
    {
        MailboxId = mailboxId,
        UidValidity = message.UidValidity,
        Uid = message.Uid,
        MessageId = message.MessageId,
        From = message.From,
        OriginalFrom = evaluation.OriginalFrom,
        Subject = message.Subject,
        SentAt = AlarmEvaluator.SentAt(message),
    };

    private EvaluationSettings Effective(string mailboxId) =>
        S.MailboxOverrides.TryGetValue(mailboxId, out var mailboxOverride) ? mailboxOverride.ApplyTo(S.Settings) : S.Settings;

    /// <summary>Adds a key to the processed window; <see langword="false"/> when it was there already.</summary>
    private bool Remember(string key)
    {
        if (!_processed.Add(key))
        {
            return false;
        }

        S.ProcessedKeys.Add(key);
        return true;
    }

    private void Trim()
    {
        var excessKeys = S.ProcessedKeys.Count - _options.ProcessedKeyWindow;
        if (excessKeys > 0)
        {
            foreach (var key in S.ProcessedKeys.Take(excessKeys))
            {
                _processed.Remove(key);
            }

            S.ProcessedKeys.RemoveRange(0, excessKeys);
        }

        var excessAlarms = S.Alarms.Count - _options.StoredAlarms;
        if (excessAlarms > 0)
        {
            S.Alarms.RemoveRange(0, excessAlarms);
        }
    }

    private static void ThrowIfInvalid(EvaluationSettings settings)
    {
        var errors = EvaluationSettingsValidator.Validate(settings);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")), nameof(settings));
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Tenant {TenantId}: mail {MailboxId}/{Uid} → alarm {AlarmId} {Status} revision {Revision}, {RuleErrors} rule errors, {DurationMs:0.00} ms")]
    private static partial void LogEvaluated(ILogger logger, string tenantId, string mailboxId, uint uid, string alarmId, AlarmStatus status, int revision, int ruleErrors, double durationMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Tenant {TenantId}: mail {MailboxId}/{UidValidity}/{Uid} was handled before under another UID; skipped")]
    private static partial void LogDuplicate(ILogger logger, string tenantId, string mailboxId, uint uidValidity, uint uid);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Tenant {TenantId}: publishing {Count} alarms on the stream failed ({ExceptionType}); webhook delivery is not affected")]
    private static partial void LogStreamFailed(ILogger logger, string tenantId, int count, string exceptionType);
}
