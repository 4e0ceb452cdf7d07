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

    /// <summary>Whether the server advertises IDLE (RFC 2177).</summary>
    bool SupportsIdle { get; }

    /// <summary>
    /// Waits in IDLE (RFC 2177) until the server reports a change of the folder (new or expunged messages), until
    /// <paramref name="maxDuration"/> has passed, or until <paramref name="wake"/> is cancelled; then ends IDLE with DONE
    /// and waits for the server's tagged reply (which proves the connection is alive).
    /// </summary>
    /// <returns><see langword="true"/> if the server reported a change.</returns>
    /// <exception cref="MailboxAccessException">The connection failed or the server did not answer DONE in time.</exception>
    Task<bool> IdleAsync(TimeSpan maxDuration, CancellationToken wake, CancellationToken cancellationToken);

    /// <summary>Sends NOOP (RFC 3501 section 6.1.2): proves the connection is alive and lets the server report new messages.</summary>
    /// <exception cref="MailboxAccessException">The connection failed or the server did not answer in time.</exception>
    Task NoOpAsync(CancellationToken cancellationToken);

    /// <summary>Fetches the UID, RFC822.SIZE and INTERNALDATE of messages, without their bodies; messages expunged meanwhile are left out.</summary>
    /// <returns>The summaries, ascending by UID.</returns>
    /// <exception cref="MailboxAccessException">The command failed.</exception>
    Task<IReadOnlyList<MailSummary>> FetchSummariesAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken);

    /// <summary>
    /// Fetches the raw messages of <paramref name="mails"/> (summaries from <see cref="FetchSummariesAsync"/>): those up to
    /// <paramref name="maxBytes"/> whole in one batched command, larger ones only up to that many bytes (a partial fetch
    /// each, <c>BODY.PEEK[]&lt;0.n&gt;</c>, flagged <see cref="FetchedMail.Partial"/>). A literal longer than
    /// <see cref="ImapOptions.MaxMessageBytes"/> is cut there too, whatever size the server announced before. Messages
    /// expunged meanwhile are left out.
    /// </summary>
    /// <param name="mails">The messages, with their RFC822.SIZE.</param>
    /// <param name="maxBytes">The most bytes of one message fetched, at most <see cref="ImapOptions.MaxMessageBytes"/> (a larger value counts as that).</param>
    /// <param name="cancellationToken">Ends the fetch.</param>
    /// <returns>The messages, ascending by UID.</returns>
    /// <exception cref="MailboxAccessException">The command failed.</exception>
    Task<IReadOnlyList<FetchedMail>> FetchAsync(IReadOnlyList<MailSummary> mails, int maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Fetches what identifies messages (Message-ID, Date, From, Subject, RFC822.SIZE, INTERNALDATE) without their bodies:
    /// <c>BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)]</c> decoded like a stored message, with its caps
    /// (<see cref="AlarmInbox.Grains.Interfaces.Mailboxes.MailLimits"/>). Not ENVELOPE, which MailKit cannot read when a
    /// value is longer than 4 KiB. Messages expunged meanwhile are left out.
    /// </summary>
    /// <exception cref="MailboxAccessException">The command failed.</exception>
    Task<IReadOnlyList<MailEnvelope>> FetchEnvelopesAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken);
}
