using System.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Ingestion;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>Fetch-and-store: baseline, UIDVALIDITY recovery, batched fetch, durable writes in crash-safe order.</summary>
public sealed partial class MailboxGrain
{
    private TimeSpan? _lastRetryAfter;

    // True only during the first contact inside CreateAsync: a baseline set then is the UIDNEXT seen at creation.
    private bool _creationContact;

    /// <summary>
    /// One poll. On the kept session if there is one (NOOP, then the sync); if that session fails for any reason but
    /// throttling, it is closed and the poll goes on with a new one. A new session is kept afterwards when
    /// <see cref="KeepSessionWanted"/>, otherwise logged out. Never throws for expected failures.
    /// </summary>
    private async Task<PollResult> PollOnceAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        if (S.Settings.AuthType == MailboxAuthType.Graph)
        {
            return await PollGraphAsync(budget, cancellationToken);
        }

        var started = Stopwatch.GetTimestamp();
        if (TakeKeptSession() is { } kept)
        {
            Exception? failure = null;
            var close = true;
            try
            {
                // RFC 3501 section 6.1.2: NOOP lets the server report new messages on a session that has been quiet.
                await kept.NoOpAsync(cancellationToken);
                var result = await SyncAsync(kept, started, cancellationToken);
                close = false;
                await KeepOrCloseAsync(kept, _keptSessionOpenedAt);
                return result;
            }
            catch (MailboxAccessException ex) when (ex.Code != MailboxErrorCodes.Throttled)
            {
                // Dropped by the server (autologout, restart, Exchange's token expiry) or broken: one new session.
                LogKeptSessionFailed(logger, this.GetPrimaryKeyString(), ex.Code);
            }
            catch (Exception ex) when (ex is MailboxAccessException or OperationCanceledException)
            {
                failure = ex;
            }
            finally
            {
                if (close)
                {
                    await kept.DisposeAsync();
                }
            }

            if (failure is not null)
            {
                return await RecordFailureAsync(failure, budget, started);
            }
        }

        try
        {
            var session = await OpenSessionAsync(cancellationToken);
            var opened = time.GetUtcNow();
            PollResult result;
            try
            {
                result = await SyncAsync(session, started, cancellationToken);
            }
            catch
            {
                await session.DisposeAsync();
                throw;
            }

            await KeepOrCloseAsync(session, opened);
            return result;
        }
        catch (Exception ex) when (ex is MailboxAccessException or OperationCanceledException or System.Security.Cryptography.CryptographicException)
        {
            return await RecordFailureAsync(ex, budget, started);
        }
    }

    /// <summary>
    /// Brings the store up to date with the folder on an open session. Order per batch: messages written, then the
    /// watermark. A crash in between re-fetches the batch, and the stored UIDs make that a no-op: nothing is lost and
    /// nothing is stored twice.
    /// </summary>
    /// <exception cref="MailboxAccessException">An IMAP command failed (the caller records it).</exception>
    private async Task<PollResult> SyncAsync(IImapSession session, long started, CancellationToken cancellationToken)
    {
        await _syncGate.WaitAsync(cancellationToken);
        _pollRunning = true;
        TrackMetrics(MailboxState.Polling);
        try
        {
            var start = new ImapSyncStart
            {
                MailboxId = this.GetPrimaryKeyString(),
                Watermark = S.Watermark,
                PendingBackfill = S.PendingBackfill,
                NewSince = _creationContact ? null : S.BaselineSince ?? S.CreatedAt,
                LastInSyncAt = S.LastSuccessAt ?? S.CreatedAt,
            };
            var result = await folderSync.SyncAsync(session, start, this, cancellationToken);
            _syncedCount = result.FolderCount;
            return await RecordSuccessAsync(result.Stored, result.UidValidityChanged, result.MoreWaiting, started);
        }
        finally
        {
            _pollRunning = false;
            _syncGate.Release();
            TrackMetrics(CurrentState);
        }
    }

    /// <inheritdoc />
    async Task<int> IImapSyncTarget.HandOverAsync(ImapHandOver handOver, CancellationToken cancellationToken)
    {
        var mailboxId = this.GetPrimaryKeyString();

        // The one ingestion path (decode, recognise, evaluate, store alarms and messages), idempotent by mailbox,
        // UIDVALIDITY and UID; the watermark after. A crash in between re-fetches the batch and hands it over again, harmlessly.
        var raw = handOver.Mails.Select(m => new RawMail { UidValidity = handOver.UidValidity, Uid = m.Uid, Raw = m.Raw, ReceivedAt = m.InternalDate, Size = m.Size }).ToList();
        var (_, _, added, storedBefore) = await ingestion.IngestAsync(
            new IngestionRequest
            {
                TenantId = S.TenantId,
                Path = new MailPath(S.Settings.AuthType == MailboxAuthType.Graph ? MailPathKind.Graph : MailPathKind.Imap, mailboxId),
                Mails = raw,
                WatermarkLastUid = handOver.PreviousLastUid,
                SkipKnownContent = handOver.SkipKnownContent,
            },
            CancellationToken.None);
        if (added > 0)
        {
            await stepObserver.OnStepAsync(mailboxId, PollStep.MessagesStored);
        }

        // Messages above the watermark that were already stored come from an attempt that died before its watermark
        // write: they are counted now, once, with this batch.
        return added + storedBefore;
    }

    /// <inheritdoc />
    async Task IImapSyncTarget.SaveWatermarkAsync(UidWatermark watermark, int stored)
    {
        S.Watermark = watermark;
        S.PendingBackfill = 0;
        S.MessagesFetched += stored;
        await PersistAsync();
        await stepObserver.OnStepAsync(this.GetPrimaryKeyString(), PollStep.WatermarkStored);
    }

    /// <inheritdoc />
    Task<KnownMessages> IImapSyncTarget.GetKnownMessagesAsync() => Messages.GetKnownAsync();

    private async Task<PollResult> RecordSuccessAsync(int stored, bool uidValidityChanged, bool moreWaiting, long started)
    {
        var now = time.GetUtcNow();
        var recovered = S.LastError is not null;
        var persistTick = S.LastSuccessAt is null || now - S.LastSuccessAt > TimeSpan.FromMinutes(10);
        S.LastPollAt = S.LastSuccessAt = now;
        _lastContactAt = now;
        S.LastError = null;
        S.ConsecutiveFailures = 0;
        _nextAttemptAt = null;
        _lastRetryAfter = null;

        // Every batch already wrote the state; write again only when the visible status changed (or now and then).
        if (recovered || uidValidityChanged || persistTick)
        {
            await PersistAsync();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.RecordPoll(elapsed, stored, errorCode: null);
        LogPolled(logger, this.GetPrimaryKeyString(), stored, S.Watermark.UidValidity, S.Watermark.LastUid, elapsed.TotalMilliseconds);
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

    private async Task<PollResult> RecordFailureAsync(Exception ex, TimeSpan budget, long started)
    {
        var now = time.GetUtcNow();
        var error = ex switch
        {
            MailboxAccessException access => new MailboxError(access.Code, access.Message, now, MailboxErrorHints.For(access.Code, S.Settings.Office365?.AuthorityHost)),
            OperationCanceledException => new MailboxError(MailboxErrorCodes.Timeout, $"The poll did not finish within {budget.TotalSeconds:0} s.", now, MailboxErrorHints.For(MailboxErrorCodes.Timeout)),
            _ => new MailboxError(MailboxErrorCodes.Unexpected, UnreadableSecret, now, MailboxErrorHints.For(MailboxErrorCodes.Unexpected)),
        };
        _lastRetryAfter = (ex as MailboxAccessException)?.RetryAfter;
        S.LastPollAt = now;
        var changed = S.LastError?.Code != error.Code || S.LastError?.Message != error.Message;
        S.LastError = error;
        S.ConsecutiveFailures++;
        if (changed)
        {
            await PersistAsync();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.RecordPoll(elapsed, 0, error.Code);
        TrackMetrics(CurrentState);
        LogPollFailed(logger, this.GetPrimaryKeyString(), error.Code, S.ConsecutiveFailures, elapsed.TotalMilliseconds);
        return new PollResult
        {
            Succeeded = false,
            DurationMs = elapsed.TotalMilliseconds,
            Error = error,
            Watermark = S.Watermark,
        };
    }

    [LoggerMessage(EventId = 1014, Level = LogLevel.Debug, Message = "Mailbox {MailboxId}: the kept IMAP session failed with {Code}; opening a new one")]
    private static partial void LogKeptSessionFailed(ILogger logger, string mailboxId, string code);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Mailbox {MailboxId} synced: {Count} new, watermark {UidValidity}/{LastUid}, {DurationMs:0.0} ms")]
    private static partial void LogPolled(ILogger logger, string mailboxId, int count, uint uidValidity, uint lastUid, double durationMs);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Mailbox {MailboxId} poll failed with {Code} ({Failures} in a row), {DurationMs:0.0} ms")]
    private static partial void LogPollFailed(ILogger logger, string mailboxId, string code, int failures, double durationMs);
}
