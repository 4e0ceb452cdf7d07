using AlarmInbox.Grains.Graph;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// One delta round of a Graph mailbox (<see cref="GraphDeltaSync"/>) with the same hand-over as IMAP
/// (<see cref="IImapSyncTarget"/>: the raw MIME through the one ingestion path, then the watermark). A first round (new
/// mailbox, or another folder or mailbox) starts a new numbering, like an IMAP server's UIDVALIDITY, and only sets the
/// delta link; the link is written when it matters (<see cref="GraphDeltaSync.DeltaLinkSaveInterval"/>).
/// </summary>
/// <remarks>Stateless; registered as a singleton. Works on the grain state it is given, inside the grain's turn.</remarks>
public sealed class GraphMailboxSync(GraphDeltaSync graphSync, MailboxCredentials credentials, TimeProvider time)
{
    /// <summary>Runs one round.</summary>
    /// <param name="state">The mailbox state; its Graph state, watermark and backfill change.</param>
    /// <param name="target">Takes the mails and the watermark.</param>
    /// <param name="writeState">Writes <paramref name="state"/>.</param>
    /// <param name="cancellationToken">Ends the round; nothing handed over is lost.</param>
    /// <exception cref="MailboxAccessException">A request failed.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The key ring cannot decrypt the app credential.</exception>
    public async Task<GraphRoundResult> RunAsync(MailboxGrainState state, IImapSyncTarget target, Func<Task> writeState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(writeState);
        var now = time.GetUtcNow();
        var mailbox = GraphMailboxTarget.From(credentials.WithSecrets(state));
        if (state.Graph is null || !state.Watermark.IsSet)
        {
            // Mails since creation count as new if the first round comes late.
            state.Graph = new GraphDeltaState { BaselineAt = state.LastSuccessAt is null ? state.CreatedAt : now };
            state.Watermark = new UidWatermark((uint)Math.Max(1, now.ToUnixTimeSeconds()), 0);
        }

        var graph = state.Graph;
        var linkBefore = graph.DeltaLink;
        var round = await graphSync.RunAsync(mailbox, graph, state.PendingBackfill, mails => HandOverAsync(state, target, mails), cancellationToken);
        state.PendingBackfill = 0;
        var linkMoved = round.Completed && graph.DeltaLink != linkBefore
            && (round.HandedOver > 0 || graph.DeltaLinkSavedAt is null || now - graph.DeltaLinkSavedAt >= graphSync.DeltaLinkSaveInterval);
        if (round.MoreWaiting || round.Restarted || linkBefore is null || linkMoved)
        {
            graph.DeltaLinkSavedAt = now;
            await writeState();
        }

        return round;
    }

    /// <summary>
    /// Hands Graph mails over like an IMAP batch: UIDs count on from the watermark (a replay after a crash may number a
    /// mail differently, so stored content keys are skipped too), then the watermark write that also records their Graph
    /// ids as handed over.
    /// </summary>
    private static async Task HandOverAsync(MailboxGrainState state, IImapSyncTarget target, IReadOnlyList<GraphMail> mails)
    {
        var first = state.Watermark.LastUid;
        var fetched = mails.Select((m, i) => new FetchedMail(first + 1 + (uint)i, m.ReceivedAt, m.Size, m.Raw, m.Partial)).ToList();
        var stored = await target.HandOverAsync(
            new ImapHandOver { Mails = fetched, UidValidity = state.Watermark.UidValidity, PreviousLastUid = first, SkipKnownContent = true },
            CancellationToken.None);
        await target.SaveWatermarkAsync(state.Watermark with { LastUid = first + (uint)mails.Count }, stored);
    }
}
