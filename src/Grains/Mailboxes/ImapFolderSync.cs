using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// The IMAP sync algorithm of a mailbox on an open session, without grain, storage or locks: the baseline of a new
/// mailbox, the recovery after a UIDVALIDITY change, then search, batched fetch (sizes first, then the bodies in parts of
/// at most <see cref="ImapOptions.MaxMessageBytes"/>) and hand-over, each part followed by the watermark. Everything
/// durable goes through <see cref="IImapSyncTarget"/>, in crash-safe order: a part is handed over before the watermark
/// moves past it, so a crash in between fetches it again, and the ingestion path's idempotency makes that harmless.
/// Nothing is lost and nothing is stored twice.
/// </summary>
/// <remarks>Stateless; registered as a singleton. The caller runs one sync per mailbox at a time.</remarks>
public sealed partial class ImapFolderSync(IOptions<ImapOptions> options, ILogger<ImapFolderSync> logger)
{
    /// <summary>How many of the newest messages the baseline reads by INTERNALDATE to find the first one received since <see cref="ImapSyncStart.NewSince"/>.</summary>
    public const int BaselineLookBack = 500;

    private const int EnvelopeChunk = 500;

    private readonly ImapOptions _options = options.Value;

    /// <summary>Brings the store up to date with the folder.</summary>
    /// <param name="session">An open session with the folder selected.</param>
    /// <param name="start">Where the mailbox stands.</param>
    /// <param name="target">Takes the mails and the watermark.</param>
    /// <param name="cancellationToken">Ends the sync between commands; what was handed over and saved stays.</param>
    /// <returns>What the sync did.</returns>
    /// <exception cref="MailboxAccessException">An IMAP command failed; batches before it are handed over and saved.</exception>
    public async Task<ImapSyncResult> SyncAsync(IImapSession session, ImapSyncStart start, IImapSyncTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(target);
        var watermark = start.Watermark;
        var stored = 0;
        var uidValidityChanged = false;
        if (!watermark.IsSet)
        {
            watermark = await SetBaselineAsync(session, start, target, cancellationToken);
        }
        else if (watermark.UidValidity != session.UidValidity)
        {
            uidValidityChanged = true;
            (watermark, stored) = await RecoverFromUidValidityChangeAsync(session, start, target, cancellationToken);
        }

        var maxBytes = MaxBytes(start);
        var folderCount = session.Count;
        var uids = await session.SearchUidsAfterAsync(watermark.LastUid, cancellationToken);
        var limit = Math.Max(1, _options.MaxMessagesPerPoll);
        foreach (var batch in uids.Take(limit).Chunk(Math.Max(1, _options.FetchBatchSize)))
        {
            var parts = InParts(await session.FetchSummariesAsync(batch, cancellationToken), maxBytes);
            for (var i = 0; i < parts.Count; i++)
            {
                var mails = parts[i].Length == 0 ? [] : await FetchPartAsync(session, parts[i], maxBytes, start, cancellationToken);
                var added = await target.HandOverAsync(
                    new ImapHandOver { Mails = mails, UidValidity = session.UidValidity, PreviousLastUid = watermark.LastUid },
                    cancellationToken);

                // After its last part the whole batch is done, also its UIDs that were expunged before the fetch.
                var last = i == parts.Count - 1 ? batch[^1] : parts[i][^1].Uid;
                watermark = new UidWatermark(session.UidValidity, Math.Max(last, watermark.LastUid));
                await target.SaveWatermarkAsync(watermark, added);
                stored += added;
            }
        }

        return new ImapSyncResult
        {
            Stored = stored,
            Watermark = watermark,
            UidValidityChanged = uidValidityChanged,
            MoreWaiting = uids.Count > limit,
            FolderCount = folderCount,
        };
    }

    /// <summary>
    /// Sets the first watermark, decided once (issue 14): during the creation call's own contact, the folder's UIDNEXT − 1
    /// (mails already there are not new), less the backfill. Otherwise every mail received at or after
    /// <see cref="ImapSyncStart.NewSince"/> is new, whenever the first contact comes: the watermark goes below the first
    /// of them, looking at the newest <see cref="BaselineLookBack"/> messages by INTERNALDATE.
    /// </summary>
    private async Task<UidWatermark> SetBaselineAsync(IImapSession session, ImapSyncStart start, IImapSyncTarget target, CancellationToken cancellationToken)
    {
        uint lastUid;
        if (start.PendingBackfill > 0 || session.UidNext is null || start.NewSince is not null)
        {
            var all = await session.SearchUidsAfterAsync(0, cancellationToken);
            var keep = Math.Min(start.PendingBackfill, all.Count);
            lastUid = all.Count == 0 ? 0 : keep == 0 ? all[^1] : all[all.Count - keep] - 1;
            if (session.UidNext is { } next && keep == 0)
            {
                lastUid = Math.Max(lastUid, next - 1);
            }

            if (start.NewSince is { } from && all.Count > 0)
            {
                var recent = await session.FetchEnvelopesAsync(all.TakeLast(BaselineLookBack).ToList(), cancellationToken);

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

        var watermark = new UidWatermark(session.UidValidity, lastUid);
        await target.SaveWatermarkAsync(watermark, 0);
        LogBaseline(logger, start.MailboxId, session.UidValidity, lastUid);
        return watermark;
    }

    /// <summary>
    /// RFC 3501 section 2.3.1.1: after a UIDVALIDITY change the old UIDs mean nothing. Reads the envelopes of the whole
    /// folder and fetches only the messages that are genuinely new: not among the stored messages by Message-ID (mails
    /// without one are fetched again; the tenant's pipeline recognises a copy by its text), and not older than the newest
    /// stored message. The watermark
    /// moves to the new UIDVALIDITY only at the end: a crash in between repeats the recovery, which then skips what the
    /// first attempt stored by its content key.
    /// </summary>
    private async Task<(UidWatermark Watermark, int Stored)> RecoverFromUidValidityChangeAsync(
        IImapSession session, ImapSyncStart start, IImapSyncTarget target, CancellationToken cancellationToken)
    {
        LogUidValidityChanged(logger, start.MailboxId, start.Watermark.UidValidity, session.UidValidity);
        var stored = await target.GetKnownMessagesAsync();
        var known = stored.ContentKeys.ToHashSet(StringComparer.Ordinal);

        // Mails received within a minute before the newest known one may have been missed before the change.
        var cutoff = (stored.NewestInternalDate ?? start.LastInSyncAt) - TimeSpan.FromMinutes(1);
        var all = await session.SearchUidsAfterAsync(0, cancellationToken);
        var fresh = new List<MailSummary>();
        foreach (var chunk in all.Chunk(EnvelopeChunk))
        {
            foreach (var envelope in await session.FetchEnvelopesAsync(chunk, cancellationToken))
            {
                // Without a Message-ID the content key is Date, sender and size, which two alarms of one dispatch template
                // share (no Date header): such a mail in the recent window is fetched again, and the tenant's pipeline
                // tells a copy (a repeat by its text) from a different alarm.
                var key = MessageKeys.ContentKey(envelope.MessageId, envelope.Date, envelope.From, envelope.Size);
                var unknown = string.IsNullOrEmpty(envelope.MessageId) || !known.Contains(key);
                if (unknown && (envelope.InternalDate is null || envelope.InternalDate >= cutoff))
                {
                    fresh.Add(new MailSummary(envelope.Uid, envelope.Size, envelope.InternalDate));
                }
            }
        }

        var added = 0;
        var maxBytes = MaxBytes(start);
        foreach (var part in fresh.Chunk(Math.Max(1, _options.FetchBatchSize)).SelectMany(chunk => InParts(chunk, maxBytes)).Where(p => p.Length > 0))
        {
            var mails = await FetchPartAsync(session, part, maxBytes, start, cancellationToken);
            var count = await target.HandOverAsync(
                new ImapHandOver { Mails = mails, UidValidity = session.UidValidity, PreviousLastUid = 0, SkipKnownContent = true },
                cancellationToken);
            await target.SaveWatermarkAsync(start.Watermark, count);
            added += count;
        }

        // Everything in the folder now is either stored or known to be old.
        var watermark = new UidWatermark(session.UidValidity, all.Count == 0 ? 0 : all[^1]);
        await target.SaveWatermarkAsync(watermark, 0);
        LogUidValidityRecovered(logger, start.MailboxId, all.Count, added);
        return (watermark, added);
    }

    /// <summary>A limit for <see cref="ImapSyncStart.FetchLimit"/>, starting at <see cref="ImapOptions.MaxMessageBytes"/>.</summary>
    public FetchSizeLimit NewFetchLimit() => new(Math.Max(1, _options.MaxMessageBytes));

    private int MaxBytes(ImapSyncStart start) => Math.Min(Math.Max(1, _options.MaxMessageBytes), start.FetchLimit?.Current ?? int.MaxValue);

    /// <summary>
    /// Fetches one part, and tells the mailbox's <see cref="ImapSyncStart.FetchLimit"/> whether it came within the poll's
    /// budget: a part cut off by the budget (or by the server's read timeout) lowers the limit for the next poll.
    /// </summary>
    private async Task<IReadOnlyList<FetchedMail>> FetchPartAsync(
        IImapSession session, MailSummary[] part, int maxBytes, ImapSyncStart start, CancellationToken cancellationToken)
    {
        var bytes = part.Sum(m => Math.Clamp(m.Size, 0, maxBytes));
        try
        {
            var mails = await session.FetchAsync(part, maxBytes, cancellationToken);
            start.FetchLimit?.Fetched(bytes);
            return mails;
        }
        catch (Exception ex) when (ex is OperationCanceledException && cancellationToken.IsCancellationRequested
            || ex is MailboxAccessException { Code: MailboxErrorCodes.Timeout })
        {
            if (start.FetchLimit is { } limit && limit.TimedOut(bytes))
            {
                LogFetchLimitLowered(logger, start.MailboxId, bytes, limit.Current);
            }

            throw;
        }
    }

    /// <summary>
    /// Splits a batch (ascending by UID) into consecutive parts of at most <paramref name="maxBytes"/> by RFC822.SIZE (a
    /// larger mail counts with the part of it that is fetched), so that one hand-over holds at most that much raw mail in
    /// memory; a single mail is a part of its own. An empty batch (all expunged) is one empty part.
    /// </summary>
    private static List<MailSummary[]> InParts(IReadOnlyList<MailSummary> batch, int maxBytes)
    {
        var max = (long)maxBytes;
        var parts = new List<MailSummary[]>();
        var part = new List<MailSummary>();
        long bytes = 0;
        foreach (var mail in batch)
        {
            var cost = Math.Clamp(mail.Size, 0, max);
            if (part.Count > 0 && bytes + cost > max)
            {
                parts.Add([.. part]);
                part.Clear();
                bytes = 0;
            }

            part.Add(mail);
            bytes += cost;
        }

        parts.Add([.. part]);
        return parts;
    }

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Mailbox {MailboxId} watermark set to UIDVALIDITY {UidValidity}, last UID {LastUid}")]
    private static partial void LogBaseline(ILogger logger, string mailboxId, uint uidValidity, uint lastUid);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: UIDVALIDITY changed from {Old} to {New}; re-reading the folder by content key")]
    private static partial void LogUidValidityChanged(ILogger logger, string mailboxId, uint old, uint @new);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: after the UIDVALIDITY change, {Total} messages in the folder, {Stored} of them new")]
    private static partial void LogUidValidityRecovered(ILogger logger, string mailboxId, int total, int stored);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: fetching {Bytes} bytes did not finish within the poll's time; the next polls fetch at most {Limit} bytes per part (larger mails only as their first bytes, flagged size)")]
    private static partial void LogFetchLimitLowered(ILogger logger, string mailboxId, long bytes, int limit);
}
