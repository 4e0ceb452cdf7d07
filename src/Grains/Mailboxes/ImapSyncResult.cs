using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>What one sync (<see cref="ImapFolderSync.SyncAsync"/>) did.</summary>
public sealed record ImapSyncResult
{
    /// <summary>Messages newly stored.</summary>
    public required int Stored { get; init; }

    /// <summary>The watermark after the sync (also saved through <see cref="IImapSyncTarget.SaveWatermarkAsync"/>).</summary>
    public required UidWatermark Watermark { get; init; }

    /// <summary>The folder's UIDVALIDITY had changed; the folder was re-read by content key.</summary>
    public bool UidValidityChanged { get; init; }

    /// <summary>More new messages than one sync takes (<see cref="Imap.ImapOptions.MaxMessagesPerPoll"/>) were waiting; sync again soon.</summary>
    public bool MoreWaiting { get; init; }

    /// <summary>How many messages the folder held when the search was sent (an IDLE session compares it with later EXISTS counts).</summary>
    public int FolderCount { get; init; }
}
