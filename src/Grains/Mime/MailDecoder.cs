using System.Text;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using MimeKit;
using MimeKit.IO;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Parses raw RFC 5322 messages and decodes them into <see cref="MailMessage"/> records: addresses,
/// decoded headers, a plain-text body (HTML-only mails rendered to text) and the attachment list.
/// </summary>
/// <remarks>Stateless and thread-safe; meant to be registered as a singleton.</remarks>
public sealed class MailDecoder
{
    /// <summary>
    /// Parser options shared by every parse. Raw 8-bit header bytes are tried as UTF-8 first and then,
    /// instead of MimeKit's default ISO-8859-1, as Windows-1252, which is what German mail software
    /// actually sends (it has the en dash and the typographic quotes that ISO-8859-1 lacks).
    /// </summary>
    private static readonly ParserOptions Options = CreateParserOptions();

    /// <summary>Parses a raw message (RFC 5322) with the decoder's parser options.</summary>
    /// <param name="rawMessage">The raw message, e.g. the IMAP BODY[] stream; read to its end and not disposed.</param>
    /// <param name="cancellationToken">Cancels the parse.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="FormatException">The stream does not hold a message.</exception>
    public MimeMessage Parse(Stream rawMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);
        return MimeMessage.Load(Options, rawMessage, cancellationToken);
    }

    /// <summary>Parses a raw message and decodes it; see <see cref="Decode(MimeMessage, uint, uint, DateTimeOffset?, long, DateTimeOffset)"/>.</summary>
    /// <param name="rawMessage">The raw message (RFC 5322); read to its end and not disposed.</param>
    /// <param name="uidValidity">The folder's UIDVALIDITY.</param>
    /// <param name="uid">The message's UID.</param>
    /// <param name="internalDate">The IMAP INTERNALDATE, if known.</param>
    /// <param name="size">The IMAP RFC822.SIZE in bytes.</param>
    /// <param name="fetchedAt">When the message was fetched (UTC).</param>
    /// <param name="cancellationToken">Cancels the parse.</param>
    /// <returns>The decoded message.</returns>
    /// <exception cref="FormatException">The stream does not hold a message.</exception>
    public MailMessage Decode(
        Stream rawMessage,
        uint uidValidity,
        uint uid,
        DateTimeOffset? internalDate,
        long size,
        DateTimeOffset fetchedAt,
        CancellationToken cancellationToken)
    {
        var message = Parse(rawMessage, cancellationToken);
        return Decode(message, uidValidity, uid, internalDate, size, fetchedAt);
    }

    /// <summary>Decodes a parsed message into the record that is stored for its mailbox.</summary>
    /// <param name="message">The parsed message.</param>
    /// <param name="uidValidity">The folder's UIDVALIDITY.</param>
    /// <param name="uid">The message's UID.</param>
    /// <param name="internalDate">The IMAP INTERNALDATE, if known.</param>
    /// <param name="size">The IMAP RFC822.SIZE in bytes.</param>
    /// <param name="fetchedAt">When the message was fetched (UTC).</param>
    /// <returns>The decoded message; the text is cut at <see cref="MailMessage.MaxTextLength"/> characters.</returns>
    public MailMessage Decode(
        MimeMessage message,
        uint uidValidity,
        uint uid,
        DateTimeOffset? internalDate,
        long size,
        DateTimeOffset fetchedAt)
    {
        ArgumentNullException.ThrowIfNull(message);

        var content = DecodeContent(message, level: 0);
        return new MailMessage
        {
            UidValidity = uidValidity,
            Uid = uid,
            MessageId = content.MessageId,
            From = content.From,
            FromName = content.FromName,
            To = [.. message.To.Mailboxes.Select(m => m.Address).Where(a => !string.IsNullOrEmpty(a))],
            Subject = content.Subject,
            Date = content.Date,
            InternalDate = internalDate,
            Size = size,
            Text = content.Text,
            TextTruncated = content.TextTruncated,
            Attachments = content.Attachments,
            FetchedAt = fetchedAt,
            XmlAttachments = content.XmlAttachments,
            AttachedMessage = content.Attached,
        };
    }

    private static ParserOptions CreateParserOptions()
    {
        var options = new ParserOptions();
        options.CharsetEncoding = CodePages.Windows1252;
        return options;
    }

    /// <summary>Decodes one level: the mail itself (level 0) or a mail attached to it (1 to <see cref="MailAttachedMessage.MaxDepth"/>).</summary>
    private static DecodedContent DecodeContent(MimeMessage message, int level)
    {
        var parts = MimeWalker.Walk(message);
        var (text, truncated) = Truncate(NormaliseText(BodyText(parts)));
        var (from, fromName) = DecodeSender(message);
        MailAttachedMessage? attached = null;
        if (level < MailAttachedMessage.MaxDepth && parts.AttachedMessage is { } inner)
        {
            var innerContent = DecodeContent(inner.Message, level + 1);
            attached = new MailAttachedMessage
            {
                AttachedAs = inner.AttachedAs,
                Subject = innerContent.Subject,
                From = innerContent.From,
                FromName = innerContent.FromName,
                MessageId = innerContent.MessageId,
                Date = innerContent.Date,
                Text = innerContent.Text,
                XmlAttachments = innerContent.XmlAttachments,
                AttachedMessage = innerContent.Attached,
            };
        }

        return new DecodedContent
        {
            Subject = DecodeHeader(message, HeaderId.Subject) ?? message.Subject ?? "",
            From = from,
            FromName = fromName,
            MessageId = string.IsNullOrWhiteSpace(message.MessageId) ? null : message.MessageId,
            // MimeKit reports a missing or unparseable Date header as DateTimeOffset.MinValue.
            Date = message.Date == DateTimeOffset.MinValue ? null : message.Date,
            Text = text,
            TextTruncated = truncated,
            Attachments = GetAttachments(parts),
            XmlAttachments = GetXmlAttachments(parts),
            Attached = attached,
        };
    }

    /// <summary>The first From mailbox, its display name decoded with charset repair.</summary>
    private static (string? Address, string? Name) DecodeSender(MimeMessage message)
    {
        var sender = message.From.Mailboxes.FirstOrDefault();
        var name = sender?.Name;
        if (DecodeHeader(message, HeaderId.From) is { } decoded
            && InternetAddressList.TryParse(decoded, out var list)
            && list.Mailboxes.FirstOrDefault() is { } repaired
            && string.Equals(repaired.Address, sender?.Address, StringComparison.OrdinalIgnoreCase))
        {
            name = repaired.Name;
        }

        return (string.IsNullOrEmpty(sender?.Address) ? null : sender.Address, string.IsNullOrWhiteSpace(name) ? null : name.Trim());
    }

    /// <summary>A header's value decoded from its raw bytes with charset repair, or <see langword="null"/> when the mail has none.</summary>
    private static string? DecodeHeader(MimeMessage message, HeaderId id)
    {
        var index = message.Headers.IndexOf(id);
        return index < 0 ? null : HeaderText.Decode(message.Headers[index].RawValue);
    }

    private static string BodyText(MimeParts parts)
    {
        var plain = parts.Plain is null ? null : DecodeText(parts.Plain);
        if (!string.IsNullOrWhiteSpace(plain))
        {
            return plain;
        }

        var html = parts.Html is null ? null : DecodeText(parts.Html);
        if (!string.IsNullOrWhiteSpace(html))
        {
            return HtmlTextRenderer.Render(html);
        }

        return plain ?? "";
    }

    /// <summary>A text part's content after its transfer encoding, decoded with <see cref="CharsetRepair"/>.</summary>
    private static string DecodeText(TextPart part)
    {
        if (part.Content is null)
        {
            return "";
        }

        using var content = new MemoryStream();
        part.Content.DecodeTo(content);
        return CharsetRepair.Decode(content.GetBuffer().AsSpan(0, (int)content.Length), part.ContentType.Charset);
    }

    private static string NormaliseText(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = lines[i].TrimEnd();
        }

        return string.Join('\n', lines).TrimEnd();
    }

    private static (string Text, bool Truncated) Truncate(string text)
    {
        if (text.Length <= MailMessage.MaxTextLength)
        {
            return (text, false);
        }

        var length = MailMessage.MaxTextLength;
        if (char.IsHighSurrogate(text[length - 1]))
        {
            // Do not leave half a surrogate pair at the end.
            length--;
        }

        return (text[..length], true);
    }

    private static List<MailAttachment> GetAttachments(MimeParts parts)
    {
        var attachments = new List<MailAttachment>();
        foreach (var part in parts.Leaves)
        {
            // Text parts that are not attachments are the body or its alternatives; every other
            // leaf (attachments, inline images, attached messages) is listed.
            if (part is TextPart && !part.IsAttachment)
            {
                continue;
            }

            var fileName = part switch
            {
                MimePart mimePart => mimePart.FileName,
                _ => part.ContentDisposition?.FileName ?? part.ContentType.Name,
            };

            attachments.Add(new MailAttachment(
                string.IsNullOrEmpty(fileName) ? null : fileName,
                part.ContentType.MimeType.ToLowerInvariant(),
                MeasureDecodedSize(part)));
        }

        return attachments;
    }

    private static List<MailXmlAttachment> GetXmlAttachments(MimeParts parts)
    {
        var result = new List<MailXmlAttachment>();
        foreach (var part in parts.Leaves.OfType<MimePart>())
        {
            if (result.Count == MailMessage.MaxXmlAttachments)
            {
                break;
            }

            var mimeType = part.ContentType.MimeType.ToLowerInvariant();
            var isXml = mimeType is "application/xml" or "text/xml" || mimeType.EndsWith("+xml", StringComparison.Ordinal)
                || (part.FileName?.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) ?? false);
            if (!isXml || part.Content is null || (!part.IsAttachment && part is TextPart))
            {
                continue;
            }

            using var content = new MemoryStream();
            part.Content.DecodeTo(content);
            if (content.Length > MailMessage.MaxXmlAttachmentBytes)
            {
                continue;
            }

            var bytes = content.ToArray();
            result.Add(new MailXmlAttachment(string.IsNullOrEmpty(part.FileName) ? null : part.FileName, mimeType, DecodeXmlText(bytes, part.ContentType.Charset)));
        }

        return result;
    }

    /// <summary>Decodes XML bytes: a byte order mark, else the Content-Type charset, else the XML declaration's encoding, else UTF-8.</summary>
    private static string DecodeXmlText(byte[] bytes, string? charset)
    {
        var encoding = Encoding.UTF8;
        var declared = charset;
        if (string.IsNullOrEmpty(declared))
        {
            var head = Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 200));
            var at = head.IndexOf("encoding=", StringComparison.Ordinal);
            if (head.StartsWith("<?xml", StringComparison.Ordinal) && at > 0 && at + 10 < head.Length)
            {
                var quote = head[at + 9];
                var end = head.IndexOf(quote, at + 10);
                declared = end > at ? head[(at + 10)..end] : null;
            }
        }

        if (!string.IsNullOrEmpty(declared))
        {
            try
            {
                encoding = Encoding.GetEncoding(declared);
            }
            catch (ArgumentException)
            {
                // An unknown charset name: UTF-8 is the XML default.
            }
        }

        using var reader = new StreamReader(new MemoryStream(bytes), encoding, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static long MeasureDecodedSize(MimeEntity part)
    {
        using var measure = new MeasuringStream();
        switch (part)
        {
            case MimePart { Content: not null } mimePart:
                mimePart.Content.DecodeTo(measure);
                break;
            case MessagePart { Message: not null } messagePart:
                messagePart.Message.WriteTo(measure);
                break;
        }

        return measure.Length;
    }

    private sealed record DecodedContent
    {
        public required string Subject { get; init; }

        public string? From { get; init; }

        public string? FromName { get; init; }

        public string? MessageId { get; init; }

        public DateTimeOffset? Date { get; init; }

        public required string Text { get; init; }

        public bool TextTruncated { get; init; }

        public required List<MailAttachment> Attachments { get; init; }

        public required List<MailXmlAttachment> XmlAttachments { get; init; }

        public MailAttachedMessage? Attached { get; init; }
    }
}
