using System.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mime;
using AlarmInbox.Grains.Secrets;
using AlarmInbox.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// Orchestrates one mailbox: persisted config and watermark, a grain timer for the poll cadence, a reminder as the
/// watchdog. IMAP access is <see cref="IImapConnector"/>, decoding is <see cref="MailDecoder"/>.
/// </summary>
[GrainType("mailbox")]
public sealed partial class MailboxGrain(
    [PersistentState("mailbox", StorageNames.Default)] IPersistentState<MailboxGrainState> state,
    [PersistentState("mailbox-messages", StorageNames.Default)] IPersistentState<MailboxMessagesState> store,
    IImapConnector connector,
    MailDecoder decoder,
    ISecretProtector secrets,
    TimeProvider time,
    IOptions<PollingOptions> pollingOptions,
    IOptions<ImapOptions> imapOptions,
    ILogger<MailboxGrain> logger,
    MailboxMetrics metrics) : Grain, IMailboxGrain, IRemindable
{
    private const string WatchdogReminder = "poll-watchdog";

    private readonly PollingOptions _polling = pollingOptions.Value;
    private readonly ImapOptions _imap = imapOptions.Value;
    private IGrainTimer? _timer;
    private bool _pollRunning;

    private MailboxGrainState S => state.State;

    private bool ShouldPoll => S.Exists && S.Settings.Enabled && !S.Paused;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (ShouldPoll)
        {
            StartTimer(FirstDueTime());
        }

        metrics.Track(this.GetPrimaryKeyString(), CurrentState);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Forget(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<MailboxDetails> CreateAsync(string tenantId, MailboxSettings settings, int backfill)
    {
        ThrowIfInvalid(settings, requirePassword: true);
        if (backfill is < 0 or > MailboxLimits.MaxBackfill)
        {
            throw new ArgumentOutOfRangeException(nameof(backfill), backfill, $"backfill must be between 0 and {MailboxLimits.MaxBackfill}.");
        }

        if (S.Exists)
        {
            throw new InvalidOperationException($"Mailbox {this.GetPrimaryKeyString()} already exists.");
        }

        state.State = new MailboxGrainState
        {
            Exists = true,
            TenantId = tenantId,
            Settings = settings with { Password = null },
            ProtectedPassword = secrets.Protect(settings.Password!),
            CreatedAt = time.GetUtcNow(),
            PendingBackfill = backfill,
        };
        await state.WriteStateAsync();
        LogCreated(logger, this.GetPrimaryKeyString(), tenantId);

        if (S.Settings.Enabled)
        {
            await StartPollingAsync();
            using var contact = new CancellationTokenSource(_polling.InitialContactTimeout);
            await PollCoreAsync(contact.Token);
        }

        return Details();
    }

    /// <inheritdoc />
    public async Task<MailboxDetails?> UpdateAsync(MailboxSettings settings)
    {
        if (!S.Exists)
        {
            return null;
        }

        ThrowIfInvalid(settings, requirePassword: false);
        var old = S.Settings;
        var sameSource = string.Equals(old.Host, settings.Host, StringComparison.OrdinalIgnoreCase)
            && old.Port == settings.Port
            && string.Equals(old.Username, settings.Username, StringComparison.Ordinal)
            && string.Equals(old.Folder, settings.Folder, StringComparison.Ordinal);

        S.Settings = settings with { Password = null };
        if (settings.Password is not null)
        {
            S.ProtectedPassword = secrets.Protect(settings.Password);
        }

        if (!sameSource)
        {
            // Another folder or server: its UIDs mean nothing here, start again at its UIDNEXT.
            S.Watermark = UidWatermark.None;
            S.PendingBackfill = 0;
        }

        S.LastError = null;
        S.ConsecutiveFailures = 0;
        await state.WriteStateAsync();
        await ApplyScheduleAsync();
        return Details();
    }

    /// <inheritdoc />
    public Task<MailboxDetails?> GetAsync() => Task.FromResult(S.Exists ? Details() : null);

    /// <inheritdoc />
    public async Task<bool> DeleteAsync()
    {
        if (!S.Exists)
        {
            return false;
        }

        StopTimer();
        await UnregisterWatchdogAsync();
        await store.ClearStateAsync();
        await state.ClearStateAsync();
        metrics.Forget(this.GetPrimaryKeyString());
        LogDeleted(logger, this.GetPrimaryKeyString());
        DeactivateOnIdle();
        return true;
    }

    /// <inheritdoc />
    public async Task<PollResult?> PollNowAsync()
    {
        if (!S.Exists)
        {
            return null;
        }

        using var timeout = new CancellationTokenSource(_polling.PollTimeout);
        var result = await PollCoreAsync(timeout.Token);
        if (result.MoreWaiting && ShouldPoll)
        {
            _timer?.Change(TimeSpan.Zero, Interval);
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<MailboxDetails?> PauseAsync()
    {
        if (!S.Exists)
        {
            return null;
        }

        S.Paused = true;
        await state.WriteStateAsync();
        await ApplyScheduleAsync();
        return Details();
    }

    /// <inheritdoc />
    public async Task<MailboxDetails?> ResumeAsync()
    {
        if (!S.Exists)
        {
            return null;
        }

        S.Paused = false;
        await state.WriteStateAsync();
        await ApplyScheduleAsync();
        return Details();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MailMessage>?> GetMessagesAsync(int limit)
    {
        if (!S.Exists)
        {
            return Task.FromResult<IReadOnlyList<MailMessage>?>(null);
        }

        limit = Math.Clamp(limit, 1, MailboxLimits.MaxMessagesPage);
        IReadOnlyList<MailMessage> newest = store.State.Messages
            .OrderByDescending(m => m.UidValidity == S.Watermark.UidValidity)
            .ThenByDescending(m => m.Uid)
            .Take(limit)
            .ToList();
        return Task.FromResult<IReadOnlyList<MailMessage>?>(newest);
    }

    /// <inheritdoc />
    public async Task EnsureRunningAsync()
    {
        if (ShouldPoll)
        {
            await RegisterWatchdogAsync();
        }
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // The reminder only has to bring the grain back: activation starts the timer. Restart it if it was lost.
        if (ShouldPoll && _timer is null)
        {
            StartTimer(FirstDueTime());
        }

        return Task.CompletedTask;
    }

    private TimeSpan Interval => TimeSpan.FromSeconds(S.Settings.PollIntervalSeconds);

    private MailboxState CurrentState => _pollRunning ? MailboxState.Polling
        : !ShouldPoll ? MailboxState.Paused
        : S.LastError is not null ? MailboxState.Failing
        : MailboxState.Idle;

    private async Task ApplyScheduleAsync()
    {
        if (ShouldPoll)
        {
            await StartPollingAsync();
        }
        else
        {
            StopTimer();
            await UnregisterWatchdogAsync();
        }

        metrics.Track(this.GetPrimaryKeyString(), CurrentState);
    }

    private async Task StartPollingAsync()
    {
        StopTimer();
        StartTimer(Interval);
        await RegisterWatchdogAsync();
    }

    private void StartTimer(TimeSpan dueTime)
    {
        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(
            static (grain, ct) => grain.OnTimerAsync(ct),
            this,
            new GrainTimerCreationOptions(dueTime, Interval) { Interleave = false, KeepAlive = true });
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private TimeSpan FirstDueTime()
    {
        var spread = TimeSpan.FromTicks(Math.Min(_polling.StartupSpread.Ticks, Interval.Ticks));
        return spread <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Random.Shared.NextInt64(spread.Ticks));
    }

    private async Task RegisterWatchdogAsync() =>
        await this.RegisterOrUpdateReminder(WatchdogReminder, _polling.WatchdogPeriod, _polling.WatchdogPeriod);

    private async Task UnregisterWatchdogAsync()
    {
        var reminder = await this.GetReminder(WatchdogReminder);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (!ShouldPoll)
        {
            StopTimer();
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_polling.PollTimeout);
        var result = await PollCoreAsync(timeout.Token);
        if (result.MoreWaiting)
        {
            _timer?.Change(TimeSpan.Zero, Interval);
        }
    }

    private async Task<PollResult> PollCoreAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var mailboxId = this.GetPrimaryKeyString();
        _pollRunning = true;
        metrics.Track(mailboxId, MailboxState.Polling);
        var stored = 0;
        var uidValidityChanged = false;
        var moreWaiting = false;
        try
        {
            var request = new ImapConnectRequest(
                S.Settings.Host, S.Settings.Port, S.Settings.Security, S.Settings.Username,
                secrets.Unprotect(S.ProtectedPassword ?? throw new InvalidOperationException("The mailbox has no password.")),
                S.Settings.Folder);

            await using var session = await connector.OpenAsync(request, cancellationToken);
            if (!S.Watermark.IsSet)
            {
                await SetBaselineAsync(session, cancellationToken);
            }
            else if (S.Watermark.UidValidity != session.UidValidity)
            {
                // RFC 3501 2.3.1.1: UIDs of the old UIDVALIDITY are meaningless now. Read the folder again and skip
                // what is already stored, by content key.
                LogUidValidityChanged(logger, mailboxId, S.Watermark.UidValidity, session.UidValidity);
                uidValidityChanged = true;
                S.Watermark = new UidWatermark(session.UidValidity, 0);
            }

            var uids = await session.SearchUidsAfterAsync(S.Watermark.LastUid, cancellationToken);
            moreWaiting = uids.Count > _imap.MaxMessagesPerPoll;
            var toFetch = uids.Take(_imap.MaxMessagesPerPoll).ToList();
            var knownContent = uidValidityChanged ? store.State.Messages.Select(MessageKeys.ContentKey).ToHashSet(StringComparer.Ordinal) : null;

            foreach (var batch in toFetch.Chunk(Math.Max(1, _imap.FetchBatchSize)))
            {
                var mails = await session.FetchAsync(batch, cancellationToken);
                var added = StoreMessages(mails, session.UidValidity, knownContent);
                if (added > 0)
                {
                    // Messages first, watermark second: a crash in between refetches the batch (duplicates are
                    // skipped by UID in StoreMessages), it never skips one.
                    await store.WriteStateAsync();
                }

                S.Watermark = new UidWatermark(session.UidValidity, batch[^1]);
                S.MessagesFetched += added;
                stored += added;
                await state.WriteStateAsync();
            }

            S.LastPollAt = S.LastSuccessAt = time.GetUtcNow();
            var recovered = S.LastError is not null;
            S.LastError = null;
            S.ConsecutiveFailures = 0;
            if (recovered || uidValidityChanged)
            {
                await state.WriteStateAsync();
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.RecordPoll(elapsed, stored, errorCode: null);
            LogPolled(logger, mailboxId, stored, S.Watermark.UidValidity, S.Watermark.LastUid, elapsed.TotalMilliseconds);
            return new PollResult
            {
                Succeeded = true,
                NewMessages = stored,
                DurationMs = elapsed.TotalMilliseconds,
                Watermark = S.Watermark,
                UidValidityChanged = uidValidityChanged,
                MoreWaiting = moreWaiting,
            };
        }
        catch (Exception ex) when (ex is MailboxAccessException or OperationCanceledException or System.Security.Cryptography.CryptographicException)
        {
            var error = ex switch
            {
                MailboxAccessException access => new MailboxError(access.Code, access.Message, time.GetUtcNow()),
                OperationCanceledException => new MailboxError(MailboxErrorCodes.Timeout, $"The poll did not finish within {_polling.PollTimeout.TotalSeconds:0} s.", time.GetUtcNow()),
                _ => new MailboxError(MailboxErrorCodes.Unexpected, "The stored password cannot be decrypted: the data protection key ring is not the one it was stored with. Set the password again.", time.GetUtcNow()),
            };
            S.LastPollAt = time.GetUtcNow();
            var changed = S.LastError?.Code != error.Code || S.LastError?.Message != error.Message;
            S.LastError = error;
            S.ConsecutiveFailures++;
            if (changed || stored > 0)
            {
                await state.WriteStateAsync();
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.RecordPoll(elapsed, stored, error.Code);
            LogPollFailed(logger, mailboxId, error.Code, S.ConsecutiveFailures, elapsed.TotalMilliseconds);
            return new PollResult
            {
                Succeeded = false,
                NewMessages = stored,
                DurationMs = elapsed.TotalMilliseconds,
                Error = error,
                Watermark = S.Watermark,
                UidValidityChanged = uidValidityChanged,
            };
        }
        finally
        {
            _pollRunning = false;
            metrics.Track(mailboxId, CurrentState);
        }
    }

    private async Task SetBaselineAsync(IImapSession session, CancellationToken cancellationToken)
    {
        uint lastUid;
        if (S.PendingBackfill > 0 || session.UidNext is null)
        {
            var all = await session.SearchUidsAfterAsync(0, cancellationToken);
            var keep = Math.Min(S.PendingBackfill, all.Count);
            lastUid = all.Count == 0 ? 0 : keep == 0 ? all[^1] : all[all.Count - keep] - 1;
            if (session.UidNext is { } next && keep == 0)
            {
                lastUid = Math.Max(lastUid, next - 1);
            }
        }
        else
        {
            lastUid = session.UidNext.Value - 1;
        }

        S.Watermark = new UidWatermark(session.UidValidity, lastUid);
        S.PendingBackfill = 0;
        await state.WriteStateAsync();
        LogBaseline(logger, this.GetPrimaryKeyString(), session.UidValidity, lastUid);
    }

    private int StoreMessages(IReadOnlyList<FetchedMail> mails, uint uidValidity, HashSet<string>? knownContent)
    {
        var messages = store.State.Messages;
        var now = time.GetUtcNow();
        var added = 0;
        foreach (var mail in mails)
        {
            if (messages.Exists(m => m.UidValidity == uidValidity && m.Uid == mail.Uid))
            {
                continue;
            }

            var decoded = decoder.Decode(mail.Message, uidValidity, mail.Uid, mail.InternalDate, mail.Size, now);
            if (knownContent is not null && !knownContent.Add(MessageKeys.ContentKey(decoded)))
            {
                continue;
            }

            messages.Add(decoded);
            added++;
        }

        if (messages.Count > MailboxLimits.StoredMessages)
        {
            messages.RemoveRange(0, messages.Count - MailboxLimits.StoredMessages);
        }

        return added;
    }

    private void ThrowIfInvalid(MailboxSettings settings, bool requirePassword)
    {
        var errors = MailboxSettingsValidator.Validate(settings, requirePassword);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors.SelectMany(e => e.Value)), nameof(settings));
        }
    }

    private MailboxDetails Details()
    {
        var config = new MailboxConfig
        {
            Id = this.GetPrimaryKeyString(),
            TenantId = S.TenantId,
            DisplayName = S.Settings.DisplayName,
            Host = S.Settings.Host,
            Port = S.Settings.Port,
            Security = S.Settings.Security,
            Username = S.Settings.Username,
            HasPassword = S.ProtectedPassword is not null,
            Folder = S.Settings.Folder,
            PollIntervalSeconds = S.Settings.PollIntervalSeconds,
            Enabled = S.Settings.Enabled,
            CreatedAt = S.CreatedAt,
        };
        var status = new MailboxStatus
        {
            State = CurrentState,
            LastPollAt = S.LastPollAt,
            LastSuccessAt = S.LastSuccessAt,
            LastError = S.LastError,
            MessagesFetched = S.MessagesFetched,
            Watermark = S.Watermark,
            ConsecutiveFailures = S.ConsecutiveFailures,
        };
        return new MailboxDetails(config, status);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Mailbox {MailboxId} created for tenant {TenantId}")]
    private static partial void LogCreated(ILogger logger, string mailboxId, string tenantId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Mailbox {MailboxId} deleted")]
    private static partial void LogDeleted(ILogger logger, string mailboxId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Mailbox {MailboxId} watermark set to UIDVALIDITY {UidValidity}, last UID {LastUid}")]
    private static partial void LogBaseline(ILogger logger, string mailboxId, uint uidValidity, uint lastUid);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Mailbox {MailboxId} polled: {Count} new, watermark {UidValidity}/{LastUid}, {DurationMs:0.0} ms")]
    private static partial void LogPolled(ILogger logger, string mailboxId, int count, uint uidValidity, uint lastUid, double durationMs);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Mailbox {MailboxId} poll failed with {Code} ({Failures} in a row), {DurationMs:0.0} ms")]
    private static partial void LogPollFailed(ILogger logger, string mailboxId, string code, int failures, double durationMs);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: UIDVALIDITY changed from {Old} to {New}; re-reading the folder, skipping stored messages")]
    private static partial void LogUidValidityChanged(ILogger logger, string mailboxId, uint old, uint @new);
}
