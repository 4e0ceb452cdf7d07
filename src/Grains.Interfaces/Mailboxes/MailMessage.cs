namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>A fetched and decoded message, as stored for its mailbox.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailMessage")]
public sealed record MailMessage
{
    /// <summary>The UIDVALIDITY of the folder when the message was fetched.</summary>
    [Id(0)] public required uint UidValidity { get; init; }

    /// <summary>The message's UID in the folder (RFC 3501 section 2.3.1.1).</summary>
    [Id(1)] public required uint Uid { get; init; }

    /// <summary>The Message-ID header without angle brackets; <see langword="null"/> when the mail has none.</summary>
    [Id(2)] public string? MessageId { get; init; }

    /// <summary>The sender's address (the first From mailbox); <see langword="null"/> when missing.</summary>
    [Id(3)] public string? From { get; init; }

    /// <summary>The sender's display name, decoded; <see langword="null"/> when missing.</summary>
    [Id(4)] public string? FromName { get; init; }

    /// <summary>The To addresses.</summary>
    [Id(5)] public IReadOnlyList<string> To { get; init; } = [];

    /// <summary>The decoded subject ("" when missing).</summary>
    [Id(6)] public string Subject { get; init; } = "";

    /// <summary>The Date header; <see langword="null"/> when missing or unparseable.</summary>
    [Id(7)] public DateTimeOffset? Date { get; init; }

    /// <summary>When the server received the message (IMAP INTERNALDATE).</summary>
    [Id(8)] public DateTimeOffset? InternalDate { get; init; }

    /// <summary>The size of the raw message in bytes (IMAP RFC822.SIZE).</summary>
    [Id(9)] public long Size { get; init; }

    /// <summary>The text body; HTML-only mails are rendered to text. At most <see cref="MaxTextLength"/> characters.</summary>
    [Id(10)] public string Text { get; init; } = "";

    /// <summary>Whether <see cref="Text"/> was cut at <see cref="MaxTextLength"/>.</summary>
    [Id(11)] public bool TextTruncated { get; init; }

    /// <summary>The attachments (names, types, sizes).</summary>
    [Id(12)] public IReadOnlyList<MailAttachment> Attachments { get; init; } = [];

    /// <summary>When AlarmInbox stored the message (UTC).</summary>
    [Id(13)] public DateTimeOffset FetchedAt { get; init; }

    /// <summary>
    /// Whether the mail was already old when AlarmInbox first saw it (INTERNALDATE, or Date when the server gave none,
    /// older than the configured late-mail age, 10 minutes by default): for example after an outage. Consumers may
    /// decide not to alarm on it.
    /// </summary>
    [Id(14)] public bool Late { get; init; }

    /// <summary>The longest text kept per message, in characters.</summary>
    public const int MaxTextLength = 32_768;

    /// <summary>
    /// The contents of XML attachments (<c>application/xml</c>, <c>text/xml</c>, <c>*+xml</c> or <c>*.xml</c>) of at most
    /// <see cref="MaxXmlAttachmentBytes"/> decoded bytes, at most <see cref="MaxXmlAttachments"/> of them; larger ones are
    /// listed in <see cref="Attachments"/> only.
    /// </summary>
    [Id(15)] public IReadOnlyList<MailXmlAttachment> XmlAttachments { get; init; } = [];

    /// <summary>The largest XML attachment whose content is kept, in decoded bytes.</summary>
    public const int MaxXmlAttachmentBytes = 16_384;

    /// <summary>The most XML attachment contents kept per message.</summary>
    public const int MaxXmlAttachments = 2;

    /// <summary>
    /// For mails received over SMTP: the envelope sender (MAIL FROM reverse-path, RFC 5321 section 4.1.1.2), "" for the
    /// null reverse-path <c>&lt;&gt;</c>; <see langword="null"/> for fetched mails. The sender filter accepts it like From.
    /// </summary>
    [Id(16)] public string? EnvelopeFrom { get; init; }

    /// <summary>For mails received over SMTP: the envelope recipients (RCPT TO, RFC 5321 section 4.1.1.3); empty for fetched mails.</summary>
    [Id(17)] public IReadOnlyList<string> EnvelopeTo { get; init; } = [];

    /// <summary>
    /// The first mail attached to this one (forwarded as an attachment, up to <see cref="MailAttachedMessage.MaxDepth"/>
    /// levels deep), or <see langword="null"/>. In stored messages only its names are kept (<see cref="MailAttachedMessage.NamesOnly"/>).
    /// </summary>
    [Id(18)] public MailAttachedMessage? AttachedMessage { get; init; }

    /// <summary>
    /// The processing limits the mail hit (<see cref="MailLimits"/> codes, e.g. <c>mime_depth</c>): what is stored is what
    /// was extracted up to the limit. Empty for a mail read completely.
    /// </summary>
    [Id(19)] public IReadOnlyList<string> Limits { get; init; } = [];

    /// <summary>Whether the mail hit a processing limit (<see cref="Limits"/>) and was stored and evaluated on what was extracted.</summary>
    public bool Truncated => Limits.Count > 0;
}
