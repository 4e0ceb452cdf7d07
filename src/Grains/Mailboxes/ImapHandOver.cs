using AlarmInbox.Grains.Imap;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>One batch of fetched mails on its way to the ingestion path (<see cref="IImapSyncTarget.HandOverAsync"/>).</summary>
public sealed record ImapHandOver
{
    /// <summary>The fetched mails, ascending by UID; messages expunged meanwhile are missing.</summary>
    public required IReadOnlyList<FetchedMail> Mails { get; init; }

    /// <summary>The folder's UIDVALIDITY the UIDs belong to.</summary>
    public required uint UidValidity { get; init; }

    /// <summary>The watermark's last UID before this batch under <see cref="UidValidity"/> (0 when the watermark is under another UIDVALIDITY).</summary>
    public required uint PreviousLastUid { get; init; }

    /// <summary>Skip messages whose content key is already stored (after a UIDVALIDITY change, and for Graph).</summary>
    public bool SkipKnownContent { get; init; }
}
