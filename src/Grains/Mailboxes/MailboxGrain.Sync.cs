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
        var stored = 0;
        var uidValidityChanged = false;
        var moreWaiting = false;
        try
        {
            if (!S.Watermark.IsSet)
            {
                await SetBaselineAsync(session, cancellationToken);
            }
            else if (S.Watermark.UidValidity != session.UidValidity)
            {
                uidValidityChanged = true;
                stored += await RecoverFromUidValidityChangeAsync(session, cancellationToken);
            }

            _syncedCount = session.Count;
            var uids = await session.SearchUidsAfterAsync(S.Watermark.LastUid, cancellationToken);
            moreWaiting = uids.Count > _imap.MaxMessagesPerPoll;
            foreach (var batch in uids.Take(_imap.MaxMessagesPerPoll).Chunk(Math.Max(1, _imap.FetchBatchSize)))
            {
                var mails = await session.FetchAsync(batch, cancellationToken);
                stored += await StoreBatchAsync(mails, session.UidValidity, batch[^1], skipKnownContent: false);
            }

            return await RecordSuccessAsync(stored, uidValidityChanged, moreWaiting, started);
        }
        finally
        {
            _pollRunning = false;
            _syncGate.Release();
            TrackMetrics(CurrentState);
        }
    }

    /// <summary>Writes one batch: messages first, then the watermark (advanced to <paramref name="lastUid"/>).</summary>
    private async Task<int> StoreBatchAsync(IReadOnlyList<FetchedMail> mails, uint uidValidity, uint lastUid, bool skipKnownContent)
    {
        var mailboxId = this.GetPrimaryKeyString();
        var previous = S.Watermark.UidValidity == uidValidity ? S.Watermark.LastUid : 0;

        // The one ingestion path (decode, recognise, evaluate, store alarms and messages), idempotent by mailbox,
        // UIDVALIDITY and UID; the watermark after. A crash in between re-fetches the batch and hands it over again, harmlessly.
        var raw = mails.Select(m => new RawMail { UidValidity = uidValidity, Uid = m.Uid, Raw = m.Raw, ReceivedAt = m.InternalDate, Size = m.Size }).ToList();
        var (_, _, added, storedBefore) = await ingestion.IngestAsync(
            new IngestionRequest
            {
                TenantId = S.TenantId,
                Path = new MailPath(S.Settings.AuthType == MailboxAuthType.Graph ? MailPathKind.Graph : MailPathKind.Imap, mailboxId),
                Mails = raw,
                WatermarkLastUid = previous,
                SkipKnownContent = skipKnownContent,
            },
            CancellationToken.None);
        if (added > 0)
        {
            await stepObserver.OnStepAsync(mailboxId, PollStep.MessagesStored);
        }

        S.Watermark = new UidWatermark(uidValidity, Math.Max(lastUid, S.Watermark.UidValidity == uidValidity ? S.Watermark.LastUid : 0));
        // Messages above the watermark that were already stored come from an attempt that died before its watermark
        // write: they are counted now, once, with this batch.
        S.MessagesFetched += added + storedBefore;
        await PersistAsync();
        await stepObserver.OnStepAsync(mailboxId, PollStep.WatermarkStored);
        return added + storedBefore;
    }

    /// <summary>
    /// Sets the first watermark, decided once (issue 14): when the server was reached during the creation call, the
    /// folder's UIDNEXT − 1 then (mails already there are not new), less the backfill. Otherwise every mail received at
    /// or after <see cref="MailboxGrainState.BaselineSince"/> (the creation time) is new, whenever the first contact
    /// comes and whatever happened in between (a settings fix, a reset failure counter, a restart, a fail-over): the
    /// watermark goes below the first of them, looking at the newest 500 messages by INTERNALDATE.
    /// </summary>
    private async Task SetBaselineAsync(IImapSession session, CancellationToken cancellationToken)
    {
        DateTimeOffset? since = _creationContact ? null : S.BaselineSince ?? S.CreatedAt;
        uint lastUid;
        if (S.PendingBackfill > 0 || session.UidNext is null || since is not null)
        {
            var all = await session.SearchUidsAfterAsync(0, cancellationToken);
            var keep = Math.Min(S.PendingBackfill, all.Count);
            lastUid = all.Count == 0 ? 0 : keep == 0 ? all[^1] : all[all.Count - keep] - 1;
            if (session.UidNext is { } next && keep == 0)
            {
                lastUid = Math.Max(lastUid, next - 1);
            }

            if (since is { } from && all.Count > 0)
            {
                var recent = await session.FetchEnvelopesAsync(all.TakeLast(500).ToList(), cancellationToken);
                // INTERNALDATE has whole seconds and the server's clock: allow two seconds before the baseline time.
                var firstNew = recent.FirstOrDefault(e => e.InternalDate >= from.AddSeconds(-2));
                if (firstNew is not null)
                {
                    lastUid = Math.Min(lastUid, firstNew.Uid - 1);
                }
            }
        }
        else
        {
            lastUid = session.UidNext.Value - 1;
        }

        S.Watermark = new UidWatermark(session.UidValidity, lastUid);
        S.PendingBackfill = 0;
        await PersistAsync();
        LogBaseline(logger, this.GetPrimaryKeyString(), session.UidValidity, lastUid);
    }

    /// <summary>
    /// RFC 3501 section 2.3.1.1: after a UIDVALIDITY change the old UIDs mean nothing. Reads the envelopes of the whole
    /// folder and fetches only the messages that are genuinely new: not among the stored messages by content key
    /// (Message-ID, else a hash of Date, From and size), and not older than the newest stored message.
    /// </summary>
    private async Task<int> RecoverFromUidValidityChangeAsync(IImapSession session, CancellationToken cancellationToken)
    {
        var mailboxId = this.GetPrimaryKeyString();
        LogUidValidityChanged(logger, mailboxId, S.Watermark.UidValidity, session.UidValidity);
        var stored = await Messages.GetKnownAsync();
        var known = stored.ContentKeys.ToHashSet(StringComparer.Ordinal);
        var newestKnown = stored.NewestInternalDate ?? S.LastSuccessAt ?? S.CreatedAt;

        // Mails received within a minute before the newest known one may have been missed before the change.
        var cutoff = newestKnown - TimeSpan.FromMinutes(1);
        var all = await session.SearchUidsAfterAsync(0, cancellationToken);
        var fresh = new List<uint>();
        foreach (var chunk in all.Chunk(500))
        {
            foreach (var envelope in await session.FetchEnvelopesAsync(chunk, cancellationToken))
            {
                var key = MessageKeys.ContentKey(envelope.MessageId, envelope.Date, envelope.From, envelope.Size);
                if (!known.Contains(key) && (envelope.InternalDate is null || envelope.InternalDate >= cutoff))
                {
                    fresh.Add(envelope.Uid);
                }
            }
        }

        var added = 0;
        foreach (var batch in fresh.Chunk(Math.Max(1, _imap.FetchBatchSize)))
        {
            var mails = await session.FetchAsync(batch, cancellationToken);
            added += await StoreBatchAsync(mails, session.UidValidity, 0, skipKnownContent: true);
        }

        // Everything in the folder now is either stored or known to be old.
        S.Watermark = new UidWatermark(session.UidValidity, all.Count == 0 ? 0 : all[^1]);
        await PersistAsync();
        LogUidValidityRecovered(logger, mailboxId, all.Count, added);
        return added;
    }

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

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Mailbox {MailboxId} watermark set to UIDVALIDITY {UidValidity}, last UID {LastUid}")]
    private static partial void LogBaseline(ILogger logger, string mailboxId, uint uidValidity, uint lastUid);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Mailbox {MailboxId} synced: {Count} new, watermark {UidValidity}/{LastUid}, {DurationMs:0.0} ms")]
    private static partial void LogPolled(ILogger logger, string mailboxId, int count, uint uidValidity, uint lastUid, double durationMs);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Mailbox {MailboxId} poll failed with {Code} ({Failures} in a row), {DurationMs:0.0} ms")]
    private static partial void LogPollFailed(ILogger logger, string mailboxId, string code, int failures, double durationMs);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: UIDVALIDITY changed from {Old} to {New}; re-reading the folder by content key")]
    private static partial void LogUidValidityChanged(ILogger logger, string mailboxId, uint old, uint @new);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: after the UIDVALIDITY change, {Total} messages in the folder, {Stored} of them new")]
    private static partial void LogUidValidityRecovered(ILogger logger, string mailboxId, int total, int stored);
}
