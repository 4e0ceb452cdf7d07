namespace AlarmInbox.Grains.Imap;

/// <summary>An authenticated IMAP session with one folder selected. Disposing it logs out and closes the connection.</summary>
public interface IImapSession : IAsyncDisposable
{
    /// <summary>The folder's UIDVALIDITY (RFC 3501 section 2.3.1.1).</summary>
    uint UidValidity { get; }

    /// <summary>The folder's UIDNEXT as reported by SELECT/EXAMINE, when the server sent it.</summary>
    uint? UidNext { get; }

    /// <summary>How many messages the folder holds.</summary>
    int Count { get; }

    /// <summary>Returns the UIDs greater than <paramref name="afterUid"/>, ascending. Filters the extra message that <c>UID SEARCH UID n:*</c> returns when nothing is above n.</summary>
    /// <exception cref="MailboxAccessException">The command failed.</exception>
    Task<IReadOnlyList<uint>> SearchUidsAfterAsync(uint afterUid, CancellationToken cancellationToken);

    /// <summary>Fetches and parses the given messages in one batched command; messages expunged meanwhile are left out.</summary>
    /// <exception cref="MailboxAccessException">The command failed.</exception>
    Task<IReadOnlyList<FetchedMail>> FetchAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken);
}
