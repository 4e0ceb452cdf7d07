using System.Diagnostics;
using AlarmInbox.Grains.Graph;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// The dispatch for <see cref="MailboxAuthType.Graph"/>: one delta round per poll through <see cref="GraphDeltaSync"/>, with
/// the same hand-off as IMAP (<see cref="IImapSyncTarget.HandOverAsync"/>: the raw MIME through the one ingestion path, path Graph, then
/// the state write; an unreadable body is stored flagged <c>undecodable</c> there) and the same
/// success, failure and backoff bookkeeping.
/// </summary>
public sealed partial class MailboxGrain
{
    // Until this time Graph asked (Retry-After) for no requests; a poll asked for meanwhile fails at once.
    private DateTimeOffset? _graphNotBefore;

    private async Task<PollResult> PollGraphAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        if (_graphNotBefore is { } notBefore && now < notBefore)
        {
            return await RecordFailureAsync(
                new MailboxAccessException(MailboxErrorCodes.GraphThrottled, $"Microsoft Graph asked for no requests of this mailbox before {notBefore:HH:mm:ss} UTC (Retry-After); nothing was sent.", retryAfter: notBefore - now),
                budget,
                started);
        }

        try
        {
            await _syncGate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException ex)
        {
            return await RecordFailureAsync(ex, budget, started);
        }

        _pollRunning = true;
        metrics.Track(this.GetPrimaryKeyString(), MailboxState.Polling);
        try
        {
            var target = GraphMailboxTarget.From(WithSecrets());
            if (S.Graph is null || !S.Watermark.IsSet)
            {
                // A new mailbox, or another folder or mailbox: a new UIDVALIDITY (like an IMAP server's, a time stamp) and
                // a first round that only sets the link. Mails since creation count as new if that round comes late.
                S.Graph = new GraphDeltaState { BaselineAt = S.LastSuccessAt is null ? S.CreatedAt : now };
                S.Watermark = new UidWatermark((uint)Math.Max(1, now.ToUnixTimeSeconds()), 0);
            }

            var linkBefore = S.Graph.DeltaLink;
            var result = await graphSync.RunAsync(target, S.Graph, S.PendingBackfill, HandOverGraphAsync, cancellationToken);
            S.PendingBackfill = 0;
            var graph = S.Graph;
            if (result.MoreWaiting || result.Restarted || linkBefore is null
                || (result.Completed && graph.DeltaLink != linkBefore && (result.HandedOver > 0 || graph.DeltaLinkSavedAt is null || now - graph.DeltaLinkSavedAt >= graphSync.DeltaLinkSaveInterval)))
            {
                graph.DeltaLinkSavedAt = now;
                await PersistAsync();
            }

            LogGraphRound(logger, this.GetPrimaryKeyString(), result.Pages, result.HandedOver, result.Restarted, result.MoreWaiting);
            _graphNotBefore = null;
            return await RecordSuccessAsync(result.HandedOver, uidValidityChanged: false, result.MoreWaiting, started);
        }
        catch (Exception ex) when (ex is MailboxAccessException or OperationCanceledException or System.Security.Cryptography.CryptographicException)
        {
            if (ex is MailboxAccessException { RetryAfter: { } wait })
            {
                _graphNotBefore = time.GetUtcNow() + wait;
            }

            return await RecordFailureAsync(ex, budget, started);
        }
        finally
        {
            _pollRunning = false;
            _syncGate.Release();
            metrics.Track(this.GetPrimaryKeyString(), CurrentState);
        }
    }

    /// <summary>
    /// Hands Graph mails to the pipeline like an IMAP batch: UIDs count on from the watermark (a replay after a crash may
    /// number a mail differently, so stored content keys are skipped too), then the state write that also records their
    /// Graph ids as handed over.
    /// </summary>
    private async Task HandOverGraphAsync(IReadOnlyList<GraphMail> mails)
    {
        var first = S.Watermark.LastUid;
        var fetched = mails.Select((m, i) => new FetchedMail(first + 1 + (uint)i, m.ReceivedAt, m.Size, m.Raw)).ToList();
        IImapSyncTarget target = this;
        var stored = await target.HandOverAsync(
            new ImapHandOver { Mails = fetched, UidValidity = S.Watermark.UidValidity, PreviousLastUid = first, SkipKnownContent = true },
            CancellationToken.None);
        await target.SaveWatermarkAsync(S.Watermark with { LastUid = first + (uint)mails.Count }, stored);
    }

    [LoggerMessage(EventId = 7106, Level = LogLevel.Debug, Message = "Graph mailbox {MailboxId}: {Pages} delta pages, {Count} new, link expired and restarted {Restarted}, more waiting {MoreWaiting}")]
    private static partial void LogGraphRound(ILogger logger, string mailboxId, int pages, int count, bool restarted, bool moreWaiting);
}
