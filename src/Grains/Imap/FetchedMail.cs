namespace AlarmInbox.Grains.Imap;

/// <summary>One message as fetched from the server.</summary>
/// <param name="Uid">Its UID.</param>
/// <param name="InternalDate">Its INTERNALDATE, when the server sent one.</param>
/// <param name="Size">Its RFC822.SIZE in bytes (the real size, also when only a part was fetched).</param>
/// <param name="Raw">The raw message (BODY[]), decoded later by the ingestion path; only its first bytes when <paramref name="Partial"/>.</param>
/// <param name="Partial">Whether the message was larger than <see cref="ImapOptions.MaxMessageBytes"/> and <paramref name="Raw"/> holds only its first bytes.</param>
public sealed record FetchedMail(uint Uid, DateTimeOffset? InternalDate, long Size, byte[] Raw, bool Partial = false);
