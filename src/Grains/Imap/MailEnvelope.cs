namespace AlarmInbox.Grains.Imap;

/// <summary>
/// What IMAP tells about a message without fetching its body (FETCH of RFC822.SIZE, INTERNALDATE and the header fields
/// Message-ID, Date, From and Subject), decoded and capped as the stored message's (<c>MailLimits</c>).
/// </summary>
/// <param name="Uid">The UID.</param>
/// <param name="MessageId">Message-ID without angle brackets, at most 320 characters, or <see langword="null"/>.</param>
/// <param name="Date">The Date header, or <see langword="null"/>.</param>
/// <param name="From">The first From address, at most 320 characters, or <see langword="null"/>.</param>
/// <param name="Subject">The decoded subject, at most 998 characters ("" when missing).</param>
/// <param name="Size">RFC822.SIZE in bytes.</param>
/// <param name="InternalDate">INTERNALDATE, or <see langword="null"/>.</param>
public sealed record MailEnvelope(uint Uid, string? MessageId, DateTimeOffset? Date, string? From, string Subject, long Size, DateTimeOffset? InternalDate);
