using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Ingestion;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// The mailbox grain's side of a sync (<see cref="IImapSyncTarget"/>): batches go through the one ingestion path
/// (<see cref="MailIngestion"/>: decode, recognise, evaluate, store alarms and messages), the watermark into the grain's
/// state. Used by IMAP syncs and by Graph rounds alike. Runs inside the grain's turn, never concurrently.
/// </summary>
/// <param name="mailboxId">The mailbox grain's key.</param>
/// <param name="state">The grain's persistent state.</param>
/// <param name="ingestion">The ingestion path.</param>
/// <param name="grains">For the mailbox's message store.</param>
/// <param name="stepObserver">Told after each durable write (tests crash the silo there).</param>
public sealed class MailboxSyncTarget(
    string mailboxId, IPersistentState<MailboxGrainState> state, MailIngestion ingestion, IGrainFactory grains, IPollStepObserver stepObserver) : IImapSyncTarget
{
    /// <inheritdoc />
    public async Task<int> HandOverAsync(ImapHandOver handOver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handOver);

        // Idempotent by mailbox, UIDVALIDITY and UID; not cancelled once started: the watermark follows only a complete hand-over.
        var raw = handOver.Mails.Select(m => new RawMail { UidValidity = handOver.UidValidity, Uid = m.Uid, Raw = m.Raw, ReceivedAt = m.InternalDate, Size = m.Size, Partial = m.Partial }).ToList();
        var (_, _, added, storedBefore) = await ingestion.IngestAsync(
            new IngestionRequest
            {
                TenantId = state.State.TenantId,
                Path = new MailPath(state.State.Settings.AuthType == MailboxAuthType.Graph ? MailPathKind.Graph : MailPathKind.Imap, mailboxId),
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
    public async Task SaveWatermarkAsync(UidWatermark watermark, int stored)
    {
        state.State.Watermark = watermark;
        state.State.PendingBackfill = 0;
        state.State.MessagesFetched += stored;
        await state.WriteStateAsync();
        await stepObserver.OnStepAsync(mailboxId, PollStep.WatermarkStored);
    }

    /// <inheritdoc />
    public Task<KnownMessages> GetKnownMessagesAsync() => grains.GetGrain<IMailboxMessagesGrain>(mailboxId).GetKnownAsync();
}
