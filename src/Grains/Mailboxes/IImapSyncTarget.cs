using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// Where <see cref="ImapFolderSync"/> hands fetched mails over and records how far it got: the mailbox grain in
/// production (the ingestion path, then its state), a list in the sync's own tests.
/// </summary>
public interface IImapSyncTarget
{
    /// <summary>
    /// Hands a batch to the ingestion path (decode, recognise, evaluate, store); idempotent by UIDVALIDITY and UID, so a
    /// batch handed over again after a crash changes nothing.
    /// </summary>
    /// <param name="handOver">The mails and where they stand.</param>
    /// <param name="cancellationToken">Cancels the hand-off before it starts storing.</param>
    /// <returns>How many messages count as newly stored: those added now plus those above the watermark that an earlier attempt stored before it died.</returns>
    /// <exception cref="Exception">Any failure: the sync stops and the watermark stays before the batch.</exception>
    Task<int> HandOverAsync(ImapHandOver handOver, CancellationToken cancellationToken);

    /// <summary>Durably records <paramref name="watermark"/> (a pending backfill counts as done) and adds <paramref name="stored"/> to the messages fetched.</summary>
    /// <param name="watermark">Everything up to it is stored, or known to be old.</param>
    /// <param name="stored">Messages stored since the last call.</param>
    Task SaveWatermarkAsync(UidWatermark watermark, int stored);

    /// <summary>The content keys of the stored messages and the newest INTERNALDATE among them (for the UIDVALIDITY recovery).</summary>
    Task<KnownMessages> GetKnownMessagesAsync();
}
