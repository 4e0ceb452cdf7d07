using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>Where a mailbox stands before a sync (<see cref="ImapFolderSync.SyncAsync"/>).</summary>
public sealed record ImapSyncStart
{
    /// <summary>The mailbox id, for the log.</summary>
    public required string MailboxId { get; init; }

    /// <summary>The stored watermark; <see cref="UidWatermark.None"/> before the first contact (the sync sets the baseline).</summary>
    public required UidWatermark Watermark { get; init; }

    /// <summary>When the baseline is set: how many of the newest messages already in the folder count as new.</summary>
    public int PendingBackfill { get; init; }

    /// <summary>
    /// When the baseline is set: mails received at or after this time count as new (the creation time, when the server
    /// could not be reached then). <see langword="null"/> during the creation call's own first contact: the folder's
    /// UIDNEXT − 1 is the baseline.
    /// </summary>
    public DateTimeOffset? NewSince { get; init; }

    /// <summary>After a UIDVALIDITY change, when no stored message has an INTERNALDATE: the time the mailbox was last in sync (its last success, else its creation).</summary>
    public DateTimeOffset LastInSyncAt { get; init; }

    /// <summary>
    /// The mailbox's FETCH part limit, lowered by the sync when a part is not fetched within the poll's budget and raised
    /// again when parts come in time; <see langword="null"/>: always <c>AlarmInbox:Imap:MaxMessageBytes</c>.
    /// </summary>
    public FetchSizeLimit? FetchLimit { get; init; }
}
