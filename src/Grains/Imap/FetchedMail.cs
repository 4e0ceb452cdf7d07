namespace AlarmInbox.Grains.Imap;

/// <summary>One message as fetched from the server.</summary>
/// <param name="Uid">Its UID.</param>
/// <param name="InternalDate">Its INTERNALDATE, when the server sent one.</param>
/// <param name="Size">Its RFC822.SIZE in bytes.</param>
/// <param name="Raw">The raw message (BODY[]), decoded later by the ingestion path.</param>
public sealed record FetchedMail(uint Uid, DateTimeOffset? InternalDate, long Size, byte[] Raw);
