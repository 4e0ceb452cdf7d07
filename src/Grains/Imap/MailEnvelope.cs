namespace AlarmInbox.Grains.Imap;

/// <summary>What IMAP tells about a message without fetching its body (FETCH ENVELOPE RFC822.SIZE INTERNALDATE).</summary>
/// <param name="Uid">The UID.</param>
/// <param name="MessageId">Message-ID without angle brackets, or <see langword="null"/>.</param>
/// <param name="Date">The Date header, or <see langword="null"/>.</param>
/// <param name="From">The first From address, or <see langword="null"/>.</param>
/// <param name="Subject">The decoded subject ("" when missing).</param>
/// <param name="Size">RFC822.SIZE in bytes.</param>
/// <param name="InternalDate">INTERNALDATE, or <see langword="null"/>.</param>
public sealed record MailEnvelope(uint Uid, string? MessageId, DateTimeOffset? Date, string? From, string Subject, long Size, DateTimeOffset? InternalDate);
