using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Grains.Mime;
using AlarmInbox.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// The alarm pipeline of a tenant. Orchestrates only: <see cref="AlarmEvaluator"/> evaluates, <see cref="IncidentMerger"/>
/// merges, <see cref="IAlarmStore"/> keeps the alarms with their revisions and receipts as records, the webhook outbox
/// delivers. One alarm per mail across all paths of the tenant: a mail recognised by its <see cref="RecognitionKeys"/>
/// becomes a receipt on its alarm. Keys of handled mails are stored in the same transaction as the alarms, receipts,
/// recognition keys and hand-offs, so a batch handed in again (crash before the mailbox wrote its watermark) changes
/// nothing. The grain state holds only the settings.
/// </summary>
[GrainType("tenant-alarms")]
public sealed partial class TenantAlarmsGrain(
    [PersistentState("tenant-alarms", StorageNames.Default)] IPersistentState<TenantAlarmsState> state,
    IAlarmStore store,
    AlarmEvaluator evaluator,
    MailDecoder decoder,
    TimeProvider time,
    AlarmMetrics metrics,
    ILogger<TenantAlarmsGrain> logger) : Grain, ITenantAlarmsGrain
{
    /// <summary>How many alarms of one incident number are considered for a merge.</summary>
    private const int IncidentCandidates = 20;

    /// <summary>How many legacy records are moved per transaction.</summary>
    private const int MigrationChunk = 500;

    /// <summary>How long after a failed hand-off to the webhook outbox it is tried again (again after each failure).</summary>
    private static readonly TimeSpan HandOffRetry = TimeSpan.FromSeconds(5);

    private IGrainTimer? _handOffRetry;

    private TenantAlarmsState S => state.State;

    private string TenantId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await MigrateLegacyHistoryAsync();
        if ((await store.ListHandoffsAsync(TenantId)).Count > 0)
        {
            // Stored but not confirmed by the outbox before the last deactivation or crash: hand off again (idempotent).
            this.RegisterGrainTimer(static (grain, _) => grain.EnsureHandedOffAsync(), this, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        }
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
        if (S.Deleted)
        {
            return [.. messages.Select(m => new IngestOutcome(m.Uid, IngestDisposition.TenantDeleted, null, false))];
        }

        var sourceId = path.SourceId;
        var now = time.GetUtcNow();
        var keysOf = messages.Select(m => (Key: $"{sourceId}/{m.UidValidity}/{m.Uid}", ContentKey: SameMailKey(sourceId, m))).ToList();
        var known = new HashSet<string>(await store.FindKeysAsync(TenantId, keysOf.SelectMany(k => new[] { k.Key, k.ContentKey }).Distinct().ToList()), StringComparer.Ordinal);
        var batch = new IngestBatch();
        var outcomes = new List<IngestOutcome>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var settings = Effective(sourceId);
            var (key, contentKey) = keysOf[i];
            if (!known.Add(key))
            {
                outcomes.Add(new IngestOutcome(message.Uid, IngestDisposition.Skipped, null, AlarmEvaluator.IsLate(message, settings, now)));
                continue;
            }

            batch.Keys.Add(key);
            // The same mail under another UID of the same source (UIDVALIDITY changed, or moved back): handled already.
            // Only by its Message-ID and text: without a Message-ID, the content key is Date, sender and size, which two
            // different alarms of one dispatch template share (no Date header, or the same second); such a mail is
            // recognised by its text below. A reused Message-ID with another text goes on to the tenant-wide check.
            if (message.MessageId is { Length: > 0 } && !known.Add(contentKey))
            {
                LogDuplicate(logger, TenantId, sourceId, message.UidValidity, message.Uid);
                outcomes.Add(new IngestOutcome(message.Uid, IngestDisposition.Skipped, null, AlarmEvaluator.IsLate(message, settings, now)));
                continue;
            }

            if (message.MessageId is { Length: > 0 })
            {
                batch.Keys.Add(contentKey);
            }

            if (!settings.Enabled)
            {
                outcomes.Add(new IngestOutcome(message.Uid, IngestDisposition.Disabled, null, AlarmEvaluator.IsLate(message, settings, now)));
                continue;
            }

            var evaluation = evaluator.Evaluate(message, settings, now);
            var keys = RecognitionKeys.For(message, evaluation);
            if (await FindRepeatedAsync(keys, evaluation, settings, batch) is { } repeated)
            {
                var revision = AgreeingRevision(repeated, keys, evaluation)?.Revision ?? repeated.Revision;
                batch.AddReceipt(repeated, Receipt(path, message, now, revision, repeat: true), changed: false);
                batch.Recognise(keys, repeated.Id);
                outcomes.Add(new IngestOutcome(message.Uid, IngestDisposition.Repeat, repeated.Id, evaluation.Late));
                LogRepeat(logger, TenantId, path.Kind, sourceId, message.Uid, repeated.Id, repeated.Revision);
                continue;
            }

            var candidates = await CandidatesAsync(evaluation, batch.Known.Values);
            var record = IncidentMerger.Build(TenantId, Source(sourceId, message, evaluation), evaluation, settings, candidates, now);
            record = batch.AddReceipt(record, Receipt(path, message, now, record.Revision, repeat: false), changed: true);
            batch.Recognise(keys, record.Id);
            if (record.IsDeliverable)
            {
                batch.Handoffs.Add(record);
            }

            outcomes.Add(new IngestOutcome(message.Uid, IngestDisposition.Evaluated, record.Id, evaluation.Late));
            LogEvaluated(logger, TenantId, sourceId, message.Uid, record.Id, record.Status, record.Revision, evaluation.RuleErrors.Count, evaluation.DurationMs);
            metrics.RecordMailToAlarm(now - (message.InternalDate ?? message.FetchedAt));
        }

        if (batch.Keys.Count == 0)
        {
            return outcomes;
        }

        await store.AppendAsync(TenantId, batch.ToAppend());
        await HandOffAsync(batch.Handoffs);
        return outcomes;
    }

    /// <inheritdoc />
    public Task<EvaluationSettings> GetSettingsAsync() => Task.FromResult(S.Settings);

    /// <inheritdoc />
    public async Task<CommandResult<EvaluationSettings>> SetSettingsAsync(EvaluationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // The mailboxes' overrides take the new defaults for what they leave unset: each combination must hold too.
        var errors = S.MailboxOverrides.Values.Select(o => EvaluationSettingsValidator.Validate(o.ApplyTo(settings)))
            .Prepend(EvaluationSettingsValidator.Validate(settings))
            .FirstOrDefault(e => e.Count > 0);
        if (errors is not null)
        {
            return CommandError.Invalid(errors);
        }

        S.Settings = settings;
        await WriteStateAsync();
        return CommandResult.Ok(S.Settings);
    }

    /// <inheritdoc />
    public Task<MailboxEvaluationSettings> GetMailboxSettingsAsync(string mailboxId) =>
        Task.FromResult(new MailboxEvaluationSettings(S.MailboxOverrides.GetValueOrDefault(mailboxId), Effective(mailboxId)));

    /// <inheritdoc />
    public async Task<CommandResult<MailboxEvaluationSettings>> SetMailboxSettingsAsync(string mailboxId, EvaluationOverride? settings)
    {
        if (settings is null)
        {
            S.MailboxOverrides.Remove(mailboxId);
        }
        else if (CommandError.IfAny(EvaluationSettingsValidator.Validate(settings.ApplyTo(S.Settings))) is { } invalid)
        {
            return invalid;
        }
        else
        {
            S.MailboxOverrides[mailboxId] = settings;
        }

        await WriteStateAsync();
        return CommandResult.Ok(await GetMailboxSettingsAsync(mailboxId));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AlarmRecord>> ListAsync(AlarmQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return store.ListAsync(TenantId, query);
    }

    /// <inheritdoc />
    public Task<AlarmRecord?> GetAsync(string alarmId) => store.GetAsync(TenantId, alarmId);

    /// <inheritdoc />
    public async Task<CommandResult<AlarmPreview>> PreviewAsync(string mailboxId, AlarmTestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = time.GetUtcNow();
        var read = ToMessage(input, now);
        if (read.Value is not { } message)
        {
            return read.Error!;
        }

        var settings = Effective(mailboxId);
        var evaluation = evaluator.Evaluate(message, settings, now);
        var alarm = settings.Enabled
            ? IncidentMerger.Build(TenantId, Source(mailboxId, message, evaluation), evaluation, settings, await CandidatesAsync(evaluation, []), now, id: "alm-preview")
            : null;
        return CommandResult.Ok(new AlarmPreview(evaluation, alarm, settings));
    }

    /// <inheritdoc />
    public async Task DeleteAsync()
    {
        // Closed (the mark written) before the history goes: an ingest after this point stores nothing, and one before it
        // ran to its end first (this grain takes one call at a time), so what it stored is deleted below.
        state.State = new TenantAlarmsState { Deleted = true };
        await WriteStateAsync();
        await store.DeleteTenantAsync(TenantId);
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public async Task OpenAsync()
    {
        if (S.Deleted)
        {
            state.State = new TenantAlarmsState();
            await WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public async Task EnsureHandedOffAsync() => await HandOffAsync(await store.ListHandoffsAsync(TenantId));

    /// <summary>The rule tester's input as a mail, or why it is none (field <c>$</c>: the request body).</summary>
    private CommandResult<MailMessage> ToMessage(AlarmTestInput input, DateTimeOffset now)
    {
        if (input.RawMessage is { } raw)
        {
            if (raw.Length == 0 || raw.Length > AlarmLimits.MaxTestMessageBytes)
            {
                return CommandError.Invalid("$", $"The message must be 1 to {AlarmLimits.MaxTestMessageBytes} bytes.");
            }

            using var stream = new MemoryStream(raw, writable: false);
            try
            {
                return CommandResult.Ok(decoder.Decode(stream, 0, 0, null, raw.Length, now, CancellationToken.None));
            }
            catch (FormatException)
            {
                // A pasted fragment rather than a mail: the caller's mistake (400), not a failure of ours.
                return CommandError.Invalid("$", "The body is not a mail (message/rfc822 needs headers, a blank line and a body); send plain text as text/plain.");
            }
        }

        var text = (input.Text ?? "").ReplaceLineEndings("\n").TrimEnd();
        if (text.Length == 0 || text.Length > MailMessage.MaxTextLength)
        {
            return CommandError.Invalid("$", $"The text must be 1 to {MailMessage.MaxTextLength} characters.");
        }

        return CommandResult.Ok(new MailMessage { UidValidity = 0, Uid = 0, Subject = input.Subject ?? "", From = input.From, Text = text, FetchedAt = now });
    }

    private async Task HandOffAsync(IReadOnlyList<AlarmRecord> pending)
    {
        if (pending.Count == 0)
        {
            return;
        }

        try
        {
            await GrainFactory.GetGrain<IWebhookOutboxGrain>(TenantId).EnqueueAsync(pending);
            await store.RemoveHandoffsAsync(TenantId, pending);
        }
        catch (Exception ex)
        {
            // The alarms are stored with their hand-off rows. A retried ingest finds the mails handled and hands nothing
            // off, so the hand-off is tried again here, soon, instead of only at the next activation of this grain.
            LogHandOffFailed(logger, TenantId, pending.Count, ex.GetType().Name, HandOffRetry.TotalSeconds);
            _handOffRetry ??= this.RegisterGrainTimer(
                static (grain, _) => grain.RetryHandOffAsync(),
                this,
                new GrainTimerCreationOptions(HandOffRetry, Timeout.InfiniteTimeSpan) { KeepAlive = true });
            throw;
        }

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

    private async Task RetryHandOffAsync()
    {
        _handOffRetry?.Dispose();
        _handOffRetry = null;
        await EnsureHandedOffAsync();
    }

    /// <summary>The stored alarms of the evaluated mail's incident, with this batch's newer versions in their place.</summary>
    private async Task<IReadOnlyList<AlarmRecord>> CandidatesAsync(AlarmEvaluation evaluation, IEnumerable<AlarmRecord> batch)
    {
        if (evaluation.IncidentNumber is not { } incident)
        {
            return [.. batch];
        }

        var stored = await store.FindByIncidentAsync(TenantId, incident, IncidentCandidates);
        return [.. stored.Where(a => !batch.Any(b => b.Id == a.Id)), .. batch];
    }

    /// <summary>
    /// The alarm a recognised mail repeats, when that alarm stands for it under this path's settings too: the same test
    /// mode, and not rejected unless this path rejects the mail as well (a mailbox that allows a sender another one refuses
    /// must still raise the alarm). This batch's recognition keys and alarms come before the stored ones.
    /// </summary>
    private async Task<AlarmRecord?> FindRepeatedAsync(IReadOnlyList<string> keys, AlarmEvaluation evaluation, EvaluationSettings settings, IngestBatch batch)
    {
        var stored = keys.All(batch.Recognised.ContainsKey) ? null : await store.FindRecognisedAsync(TenantId, keys);
        var reused = false;
        foreach (var key in keys)
        {
            if (!batch.Recognised.TryGetValue(key, out var alarmId) && stored?.TryGetValue(key, out alarmId) != true)
            {
                continue;
            }

            var alarm = batch.Known.GetValueOrDefault(alarmId!) ?? await store.GetAsync(TenantId, alarmId!);
            if (alarm is null || !Repeatable(alarm, evaluation, settings))
            {
                continue;
            }

            if (alarm.History.Any(h => RecognitionOf(h) == key) && AgreeingRevision(alarm, keys, evaluation) is null)
            {
                // The sender reused the Message-ID for another mail: not a repeat (ReusedMessageId).
                reused = true;
                continue;
            }

            return alarm;
        }

        if (!reused || evaluation.IncidentNumber is null)
        {
            return null;
        }

        // The recognition key points at the latest mail with this Message-ID; the mail at hand may repeat an earlier one of
        // its incident (a reused Message-ID, and the first of those mails arriving again through another path).
        foreach (var alarm in await CandidatesAsync(evaluation, batch.Known.Values))
        {
            if (Repeatable(alarm, evaluation, settings) && AgreeingRevision(alarm, keys, evaluation) is not null)
            {
                return alarm;
            }
        }

        return null;
    }

    /// <summary>The latest revision of <paramref name="alarm"/> made from a mail with one of <paramref name="keys"/> whose fields agree with <paramref name="evaluation"/> (<see cref="ReusedMessageId"/>).</summary>
    private static AlarmRevision? AgreeingRevision(AlarmRecord alarm, IReadOnlyList<string> keys, AlarmEvaluation evaluation) =>
        alarm.History.LastOrDefault(h => keys.Contains(RecognitionOf(h), StringComparer.Ordinal) && !ReusedMessageId.Differs(h, evaluation));

    /// <summary>Whether a mail evaluated under <paramref name="settings"/> may be a repeat of <paramref name="alarm"/>: same test mode, and not an alarm now that was rejected then.</summary>
    private static bool Repeatable(AlarmRecord alarm, AlarmEvaluation evaluation, EvaluationSettings settings) =>
        (alarm.Status == AlarmStatus.Test) == settings.TestMode && (alarm.Status != AlarmStatus.Rejected || !evaluation.IsAlarm);

    /// <summary>
    /// The key of "the same mail under another UID of the same source": source, Message-ID and the hash of sender, subject
    /// and text (<see cref="RecognitionKeys.TextKey"/>; a mail moved back or seen again after a UIDVALIDITY change is byte
    /// for byte the same, while two mails of one template under a reused Message-ID often have the same size), or without
    /// a Message-ID the content key of <see cref="MessageKeys"/> (never used for skipping, see
    /// <see cref="IngestAsync(MailPath, IReadOnlyList{MailMessage})"/>).
    /// </summary>
    private static string SameMailKey(string sourceId, MailMessage message) =>
        message.MessageId is { Length: > 0 }
            ? $"{sourceId}/{MessageKeys.ContentKey(message)}/{RecognitionKeys.TextKey(message)}"
            : $"{sourceId}/{MessageKeys.ContentKey(message)}";

    /// <summary>The recognition key of a revision's mail, from its source (Message-ID only; content keys are matched through the stored recognition keys).</summary>
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

    /// <summary>
    /// Writes the state (settings, overrides, the emptied legacy lists); when the write fails, this activation is dropped
    /// before the error goes back to the caller, so the next call reads what is stored instead of a memory that is ahead of it.
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

    /// <summary>
    /// Moves the history that the releases before the record tables kept inside this grain's state (alarms with their
    /// receipts, handled keys, recognition keys, pending hand-offs) into the store, then empties those lists.
    /// Idempotent: a crash in between repeats it.
    /// </summary>
    private async Task MigrateLegacyHistoryAsync()
    {
        if (S.Alarms.Count == 0 && S.ProcessedKeys.Count == 0 && S.PendingHandoff.Count == 0 && S.Recognised.Count == 0)
        {
            return;
        }

        var counts = (Alarms: S.Alarms.Count, Keys: S.ProcessedKeys.Count, Handoffs: S.PendingHandoff.Count, Recognised: S.Recognised.Count);
        foreach (var keys in S.ProcessedKeys.Chunk(MigrationChunk))
        {
            await store.AppendAsync(TenantId, new AlarmAppend { Keys = keys });
        }

        // Oldest first, so the stored order (ordinal) is the list order the old state had; receipts with their alarm.
        foreach (var alarms in S.Alarms.Chunk(MigrationChunk))
        {
            await store.AppendAsync(TenantId, new AlarmAppend
            {
                Alarms = alarms,
                Receipts = [.. alarms.SelectMany(a => a.Receipts.Select(r => new StoredReceipt(a.Id, r)))],
            });
        }

        // In list order: a key re-pointed to a newer alarm was appended again, and the later entry wins.
        foreach (var recognised in S.Recognised.Chunk(MigrationChunk))
        {
            await store.AppendAsync(TenantId, new AlarmAppend { Recognised = recognised });
        }

        await store.AppendAsync(TenantId, new AlarmAppend { Handoffs = S.PendingHandoff.ToList() });
        S.Alarms = [];
        S.ProcessedKeys = [];
        S.PendingHandoff = [];
        S.Recognised = [];
        await WriteStateAsync();
        LogMigrated(logger, TenantId, counts.Alarms, counts.Keys, counts.Handoffs, counts.Recognised);
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

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Tenant {TenantId}: mail {MailboxId}/{Uid} → alarm {AlarmId} {Status} revision {Revision}, {RuleErrors} rule errors, {DurationMs:0.00} ms")]
    private static partial void LogEvaluated(ILogger logger, string tenantId, string mailboxId, uint uid, string alarmId, AlarmStatus status, int revision, int ruleErrors, double durationMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Tenant {TenantId}: mail {MailboxId}/{UidValidity}/{Uid} was handled before under another UID; skipped")]
    private static partial void LogDuplicate(ILogger logger, string tenantId, string mailboxId, uint uidValidity, uint uid);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Tenant {TenantId}: moved {Alarms} alarms, {Keys} mail keys, {Handoffs} pending hand-offs and {Recognised} recognition keys from the grain state into the record tables")]
    private static partial void LogMigrated(ILogger logger, string tenantId, int alarms, int keys, int handoffs, int recognised);

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Tenant {TenantId}: mail {Path} {SourceId}/{Uid} repeats a mail of alarm {AlarmId} (revision {Revision}); recorded as a receipt, nothing delivered")]
    private static partial void LogRepeat(ILogger logger, string tenantId, MailPathKind path, string sourceId, uint uid, string alarmId, int revision);

    [LoggerMessage(EventId = 2293, Level = LogLevel.Warning, Message = "Tenant {TenantId}: handing {Count} stored alarms to the webhook outbox failed ({ExceptionType}); tried again in {RetrySeconds} s")]
    private static partial void LogHandOffFailed(ILogger logger, string tenantId, int count, string exceptionType, double retrySeconds);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Tenant {TenantId}: publishing {Count} alarms on the stream failed ({ExceptionType}); webhook delivery is not affected")]
    private static partial void LogStreamFailed(ILogger logger, string tenantId, int count, string exceptionType);
}
