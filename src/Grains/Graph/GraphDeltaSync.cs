using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Graph;

/// <summary>
/// The delta-query sync of a Graph mailbox, without grain or storage: it reads one round of
/// <c>/users/{id}/mailFolders/{folder}/messages/delta</c> from the persisted link, fetches each new message as raw MIME (at
/// most <see cref="GraphOptions.MaxConcurrentRequestsPerMailbox"/> requests at once) and hands them over in small batches.
/// The delta link in <see cref="GraphDeltaState"/> moves only when the whole round has been handed over.
/// </summary>
/// <remarks>
/// Which entries are new: after the first round, every created message (<c>changeType=created</c>). In the first round
/// (which only establishes the link) the messages received since <see cref="GraphDeltaState.BaselineAt"/>. After an
/// expired link (410) the messages received since the last round less <see cref="GraphOptions.ResyncMargin"/>. Always
/// without the ids already handed over (<see cref="GraphDeltaState.HandedOver"/>); the alarm pipeline also recognises a
/// mail by Message-ID, so a mail that fell out of that window is not alarmed twice either.
/// </remarks>
public sealed partial class GraphDeltaSync(GraphApiClient api, IOptions<GraphOptions> options, TimeProvider time, ILogger<GraphDeltaSync> logger)
{
    /// <summary>Messages per hand-over (memory bound; each hand-over is one pipeline call and one state write).</summary>
    public const int HandOverBatchSize = 20;

    private readonly GraphOptions _options = options.Value;

    /// <summary>How often a delta link that moved without new mail is worth a state write (<see cref="GraphOptions.DeltaLinkSaveInterval"/>).</summary>
    public TimeSpan DeltaLinkSaveInterval => _options.DeltaLinkSaveInterval;

    private enum Mode
    {
        Baseline,
        Incremental,
        Resync,
    }

    /// <summary>Runs one round (or its part that fits the per-poll budget).</summary>
    /// <param name="target">The mailbox.</param>
    /// <param name="state">The persisted sync state; changed in place. The caller persists it.</param>
    /// <param name="backfill">In the very first round: how many of the newest existing messages to hand over as new.</param>
    /// <param name="handOver">
    /// Hands messages to the alarm pipeline and stores them, then persists <paramref name="state"/> (which already lists
    /// their ids as handed over) before it returns. If it throws, the ids are forgotten again.
    /// </param>
    /// <param name="cancellationToken">Ends the round; nothing handed over is lost, the link stays where it was.</param>
    /// <exception cref="MailboxAccessException">A request failed (classified by <see cref="GraphErrors"/>).</exception>
    public async Task<GraphRoundResult> RunAsync(
        GraphMailboxTarget target, GraphDeltaState state, int backfill, Func<IReadOnlyList<GraphMail>, Task> handOver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(handOver);
        var now = time.GetUtcNow();
        state.FolderId ??= (await api.ResolveFolderAsync(target, cancellationToken)).Id;
        var initial = GraphApiClient.InitialDeltaUrl(target, state.FolderId).AbsoluteUri;
        var handed = 0;
        if (backfill > 0 && state.DeltaLink is null && state.LastRoundAt is null && state.ResumeLink is null)
        {
            var newest = await api.GetNewestAsync(target, state.FolderId, Math.Min(backfill, MailboxLimits.MaxBackfill), cancellationToken);
            handed += await FetchAndHandOverAsync(target, state, newest.Where(m => !state.WasHandedOver(m.Id)).Reverse().ToList(), handOver, cancellationToken);
        }

        var mode = ModeOf(state);
        var url = state.ResumeLink ?? state.DeltaLink ?? initial;
        var pages = 0;
        var removed = 0;
        var restarted = false;
        while (true)
        {
            GraphDeltaPage page;
            try
            {
                page = await api.GetDeltaPageAsync(target, new Uri(url), cancellationToken);
            }
            catch (GraphDeltaExpiredException) when (!restarted)
            {
                // The link is gone: a full round without it; what was handed over is recognised by id and Message-ID.
                LogDeltaExpired(logger, target.App.ClientId, mode.ToString());
                restarted = true;
                state.DeltaLink = state.ResumeLink = null;
                mode = ModeOf(state);
                url = initial;
                continue;
            }
            catch (GraphDeltaExpiredException ex)
            {
                throw new MailboxAccessException(MailboxErrorCodes.GraphRequestFailed, $"Microsoft Graph refused a new delta round of '{target.User}' right after the old link expired: {ex.Message}", ex);
            }
            catch (MailboxAccessException ex) when (ex.Code == MailboxErrorCodes.GraphFolderNotFound)
            {
                // The folder was deleted or recreated since its id was resolved: the next poll resolves the path again and,
                // without a link, looks at the mail received since the last round (recognising what was handed over).
                state.FolderId = null;
                state.DeltaLink = state.ResumeLink = null;
                throw;
            }

            pages++;
            removed += page.Messages.Count(m => m.Removed);
            var since = mode switch
            {
                Mode.Baseline => state.BaselineAt.AddSeconds(-2),
                Mode.Resync => (state.LastRoundAt ?? state.BaselineAt) - _options.ResyncMargin,
                _ => DateTimeOffset.MinValue,
            };
            var fresh = page.Messages
                .Where(m => !m.Removed && !state.WasHandedOver(m.Id) && IsNew(m, mode, since))
                .DistinctBy(m => m.Id, StringComparer.Ordinal)
                .ToList();
            var budget = _options.MaxMessagesPerPoll - handed;
            if (fresh.Count > budget)
            {
                // Hand over what fits; this page is read again by the next poll (the handed ones are then recognised).
                handed += await FetchAndHandOverAsync(target, state, fresh.Take(Math.Max(0, budget)).ToList(), handOver, cancellationToken);
                state.ResumeLink = url == state.DeltaLink ? null : url;
                return new GraphRoundResult(handed, pages, removed, restarted, MoreWaiting: true, Completed: false);
            }

            handed += await FetchAndHandOverAsync(target, state, fresh, handOver, cancellationToken);
            if (page.DeltaLink is { } link)
            {
                state.DeltaLink = link;
                state.ResumeLink = null;
                state.LastRoundAt = now;
                LogRound(logger, target.App.ClientId, mode.ToString(), pages, handed, removed);
                return new GraphRoundResult(handed, pages, removed, restarted, MoreWaiting: false, Completed: true);
            }

            url = page.NextLink!;
            state.ResumeLink = url;
            if (pages >= _options.MaxPagesPerPoll || handed >= _options.MaxMessagesPerPoll)
            {
                return new GraphRoundResult(handed, pages, removed, restarted, MoreWaiting: true, Completed: false);
            }
        }
    }

    /// <summary>Incremental rounds report created messages only; the others decide by receive time (unknown: new only in a resync).</summary>
    private static bool IsNew(GraphMessageRef message, Mode mode, DateTimeOffset since) => mode switch
    {
        Mode.Incremental => true,
        _ when message.ReceivedAt is { } received => received >= since,
        _ => mode == Mode.Resync,
    };

    private static Mode ModeOf(GraphDeltaState state) =>
        state.DeltaLink is not null ? Mode.Incremental : state.LastRoundAt is null ? Mode.Baseline : Mode.Resync;

    /// <summary>Fetches raw MIME (bounded concurrency) and hands over in batches, in the given order.</summary>
    private async Task<int> FetchAndHandOverAsync(
        GraphMailboxTarget target, GraphDeltaState state, IReadOnlyList<GraphMessageRef> messages, Func<IReadOnlyList<GraphMail>, Task> handOver, CancellationToken cancellationToken)
    {
        var handed = 0;
        using var gate = new SemaphoreSlim(Math.Clamp(_options.MaxConcurrentRequestsPerMailbox, 1, 4));
        foreach (var batch in messages.Chunk(HandOverBatchSize))
        {
            var fetched = await Task.WhenAll(batch.Select(async message =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    return await api.GetMimeAsync(target, message, cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }));
            var mails = fetched.OfType<GraphMail>().ToList();
            if (mails.Count < batch.Length)
            {
                LogGone(logger, target.App.ClientId, batch.Length - mails.Count);
            }

            if (mails.Count == 0)
            {
                continue;
            }

            var ids = mails.Select(m => m.Id).ToList();
            state.Remember(ids);
            try
            {
                await handOver(mails);
            }
            catch
            {
                state.Forget(ids);
                throw;
            }

            handed += mails.Count;
        }

        return handed;
    }

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Graph delta link of app {ClientId} expired (HTTP 410) in a {Mode} round; starting the round again without it")]
    private static partial void LogDeltaExpired(ILogger logger, string clientId, string mode);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Debug, Message = "Graph delta round of app {ClientId} ({Mode}): {Pages} pages, {Handed} new, {Removed} removed entries")]
    private static partial void LogRound(ILogger logger, string clientId, string mode, int pages, int handed, int removed);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Information, Message = "Graph mailbox of app {ClientId}: {Count} listed messages were gone before their MIME was read")]
    private static partial void LogGone(ILogger logger, string clientId, int count);
}
