namespace AlarmInbox.Grains.Imap;

/// <summary>What IMAP tells about a message before its body is fetched (FETCH UID RFC822.SIZE INTERNALDATE).</summary>
/// <param name="Uid">The UID.</param>
/// <param name="Size">RFC822.SIZE in bytes; 0 when the server did not send it.</param>
/// <param name="InternalDate">INTERNALDATE, or <see langword="null"/>.</param>
public sealed record MailSummary(uint Uid, long Size, DateTimeOffset? InternalDate);
