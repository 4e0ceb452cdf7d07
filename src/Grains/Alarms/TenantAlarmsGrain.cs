using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Ingestion;
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
    private Dictionary<string, string> _recognised = new(StringComparer.Ordinal);

    private TenantAlarmsState S => state.State;

    private string TenantId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _processed = new HashSet<string>(S.ProcessedKeys, StringComparer.Ordinal);
        _recognised = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in S.Recognised)
        {
            // Later entries win: a key re-pointed to a newer alarm (see FindRepeated) is appended again.
            _recognised[entry.Key] = entry.AlarmId;
        }
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
        var outcomes = await IngestAsync(MailPath.ForSource(mailboxId), messages);
        return outcomes.Count(o => o.Disposition == IngestDisposition.Evaluated);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<IngestOutcome>> IngestAsync(MailPath path, IReadOnlyList<MailMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrEmpty(path.SourceId);
        ArgumentNullException.ThrowIfNull(messages);
        var sourceId = path.SourceId;
        var now = time.GetUtcNow();
        var outcomes = new List<IngestOutcome>(messages.Count);
        var remembered = false;
        foreach (var message in messages)
        {
            var settings = Effective(sourceId);
            var key = $"{sourceId}/{message.UidValidity}/{message.Uid}";
            if (_processed.Contains(key))
            {
                outcomes.Add(new IngestOutcome(message.Uid, IngestDisposition.Skipped, null, AlarmEvaluator.IsLate(message, settings, now)));
                continue;
            }

            remembered = true;
            Remember(key);
            // The same mail under another UID of the same source (UIDVALIDITY changed, or moved back): handled already.
            // Only by its Message-ID: without one, the content key is Date, sender and size, which two different alarms of
            // one dispatch template share (no Date header, or the same second); such a mail is recognised by its text below.
            if (message.MessageId is { Length: > 0 } && !Remember($"{sourceId}/{MessageKeys.ContentKey(message)}"))
            {
                LogDuplicate(logger, TenantId, sourceId, message.UidValidity, message.Uid);
                outcomes.Add(new IngestOutcome(message.Uid, IngestDisposition.Skipped, null, AlarmEvaluator.IsLate(message, settings, now)));
                continue;
            }

            if (!settings.Enabled)
            {
                outcomes.Add(new IngestOutcome(message.Uid, IngestDisposition.Disabled, null, AlarmEvaluator.IsLate(message, settings, now)));
                continue;
            }

            var evaluation = evaluator.Evaluate(message, settings, now);
            var keys = RecognitionKeys.For(message, evaluation);
            var source = Source(sourceId, message, evaluation);
            if (FindRepeated(keys, evaluation, settings) is { } repeated)
            {
                var revision = repeated.History.LastOrDefault(h => keys.Contains(RecognitionOf(h), StringComparer.Ordinal))?.Revision ?? repeated.Revision;
                S.Alarms[S.Alarms.IndexOf(repeated)] = repeated with { Receipts = AddReceipt(repeated.Receipts, Receipt(path, message, now, revision, repeat: true)) };
                Recognise(keys, repeated.Id);
                outcomes.Add(new IngestOutcome(message.Uid, IngestDisposition.Repeat, repeated.Id, evaluation.Late));
                LogRepeat(logger, TenantId, path.Kind, sourceId, message.Uid, repeated.Id, repeated.Revision);
                continue;
            }

            var record = IncidentMerger.Build(TenantId, source, evaluation, settings, S.Alarms, now);
            record = record with { Receipts = AddReceipt(record.Receipts, Receipt(path, message, now, record.Revision, repeat: false)) };
            Replace(record);
            Recognise(keys, record.Id);
            if (record.IsDeliverable)
            {
                S.PendingHandoff.Add(record);
            }

            outcomes.Add(new IngestOutcome(message.Uid, IngestDisposition.Evaluated, record.Id, evaluation.Late));
            LogEvaluated(logger, TenantId, sourceId, message.Uid, record.Id, record.Status, record.Revision, evaluation.RuleErrors.Count, evaluation.DurationMs);
            metrics.RecordMailToAlarm(now - (message.InternalDate ?? message.FetchedAt));
        }

        if (!remembered)
        {
            return outcomes;
        }

        Trim();
        await WriteStateAsync();
        await HandOffAsync();
        return outcomes;
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
        await WriteStateAsync();
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

        await WriteStateAsync();
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
        await WriteStateAsync();

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

    /// <summary>
    /// The alarm a recognised mail repeats, when that alarm stands for it under this path's settings too: the same test
    /// mode, and not rejected unless this path rejects the mail as well (a mailbox that allows a sender another one refuses
    /// must still raise the alarm).
    /// </summary>
    private AlarmRecord? FindRepeated(IReadOnlyList<string> keys, AlarmEvaluation evaluation, EvaluationSettings settings)
    {
        foreach (var key in keys)
        {
            if (_recognised.TryGetValue(key, out var alarmId)
                && S.Alarms.Find(a => a.Id == alarmId) is { } alarm
                && (alarm.Status == AlarmStatus.Test) == settings.TestMode
                && (alarm.Status != AlarmStatus.Rejected || !evaluation.IsAlarm))
            {
                return alarm;
            }
        }

        return null;
    }

    /// <summary>The recognition key of a revision's mail, from its source (Message-ID only; content keys are matched through <see cref="_recognised"/>).</summary>
    private static string RecognitionOf(AlarmRevision revision) => revision.Source.MessageId is { Length: > 0 } id ? "mid:" + id.Trim() : "";

    private static AlarmReceipt Receipt(MailPath path, MailMessage message, DateTimeOffset now, int revision, bool repeat) => new()
    {
        Path = path.Kind,
        SourceId = path.SourceId,
        UidValidity = message.UidValidity,
        Uid = message.Uid,
        ReceivedAt = now,
        Revision = revision,
        Repeat = repeat,
    };

    private static IReadOnlyList<AlarmReceipt> AddReceipt(IReadOnlyList<AlarmReceipt> receipts, AlarmReceipt receipt) =>
        receipts.Count >= AlarmLimits.MaxReceipts ? receipts : [.. receipts, receipt];

    /// <summary>
    /// Writes the state; when the write fails, this activation is dropped before the error goes back to the caller. Its
    /// memory (handled keys, alarms, the hand-off list) is then ahead of what is stored, and a retry served from it would
    /// skip the mails as handled: the alarm would never be stored or delivered. The next call reads the stored state.
    /// </summary>
    private async Task WriteStateAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    private void Replace(AlarmRecord record)
    {
        // An update moves its alarm to the end: the list stays ordered by latest evaluation (Trim drops the front).
        S.Alarms.RemoveAll(a => a.Id == record.Id);
        S.Alarms.Add(record);
    }

    private void Recognise(IReadOnlyList<string> keys, string alarmId)
    {
        foreach (var key in keys)
        {
            if (!_recognised.TryGetValue(key, out var known) || known != alarmId)
            {
                _recognised[key] = alarmId;
                S.Recognised.Add(new RecognitionEntry(key, alarmId));
            }
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

        var excessRecognised = S.Recognised.Count - _options.ProcessedKeyWindow;
        if (excessRecognised > 0)
        {
            foreach (var entry in S.Recognised.Take(excessRecognised))
            {
                if (_recognised.TryGetValue(entry.Key, out var alarmId) && alarmId == entry.AlarmId)
                {
                    _recognised.Remove(entry.Key);
                }
            }

            S.Recognised.RemoveRange(0, excessRecognised);
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

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Tenant {TenantId}: mail {Path} {SourceId}/{Uid} repeats a mail of alarm {AlarmId} (revision {Revision}); recorded as a receipt, nothing delivered")]
    private static partial void LogRepeat(ILogger logger, string tenantId, MailPathKind path, string sourceId, uint uid, string alarmId, int revision);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Tenant {TenantId}: publishing {Count} alarms on the stream failed ({ExceptionType}); webhook delivery is not affected")]
    private static partial void LogStreamFailed(ILogger logger, string tenantId, int count, string exceptionType);
}
