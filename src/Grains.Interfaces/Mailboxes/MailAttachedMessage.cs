namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>
/// A mail attached to a mail (forwarded as an attachment: <c>message/rfc822</c>, RFC 2046 section 5.2.1, or Outlook's
/// <c>winmail.dat</c> TNEF, MS-OXTNEF), decoded like the mail itself. The alarm is evaluated on it when the outer mail's
/// own text carries no alarm content. Stored messages keep only its names (subject, sender, Message-ID, date).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailAttachedMessage")]
public sealed record MailAttachedMessage
{
    /// <summary>How it was attached: <c>message/rfc822</c> or <c>application/ms-tnef</c>.</summary>
    [Id(0)] public string AttachedAs { get; init; } = "message/rfc822";

    /// <summary>Its decoded subject ("" when missing).</summary>
    [Id(1)] public string Subject { get; init; } = "";

    /// <summary>Its sender's address (the first From mailbox), or <see langword="null"/>.</summary>
    [Id(2)] public string? From { get; init; }

    /// <summary>Its sender's display name, or <see langword="null"/>.</summary>
    [Id(3)] public string? FromName { get; init; }

    /// <summary>Its Message-ID without angle brackets, or <see langword="null"/>.</summary>
    [Id(4)] public string? MessageId { get; init; }

    /// <summary>Its Date header, or <see langword="null"/>.</summary>
    [Id(5)] public DateTimeOffset? Date { get; init; }

    /// <summary>Its text body (HTML-only mails rendered to text), at most <see cref="MailMessage.MaxTextLength"/> characters; "" in stored messages.</summary>
    [Id(6)] public string Text { get; init; } = "";

    /// <summary>Its small XML attachments (see <see cref="MailMessage.XmlAttachments"/>); empty in stored messages.</summary>
    [Id(7)] public IReadOnlyList<MailXmlAttachment> XmlAttachments { get; init; } = [];

    /// <summary>A mail attached to this one, or <see langword="null"/>; at most <see cref="MaxDepth"/> levels below the outer mail.</summary>
    [Id(8)] public MailAttachedMessage? AttachedMessage { get; init; }

    /// <summary>How many levels of attached mails are decoded below the outer mail.</summary>
    public const int MaxDepth = 3;

    /// <summary>This record without its text and XML contents, at every level (the form kept in stored messages).</summary>
    public MailAttachedMessage NamesOnly() => this with { Text = "", XmlAttachments = [], AttachedMessage = AttachedMessage?.NamesOnly() };
}
