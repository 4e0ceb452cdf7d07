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

    /// <summary>The largest plain-text attachment (as encoded in the mail) read for the alarm text; a bigger one is a log, not an alarm.</summary>
    private const int MaxTextAttachmentBytes = 256 * 1024;

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

    /// <summary>
    /// Decodes a mail of which only header fields were read (IMAP <c>BODY.PEEK[HEADER.FIELDS (…)]</c>, RFC 3501 section
    /// 6.4.5) exactly as <see cref="Decode(MimeMessage, uint, uint, DateTimeOffset?, long, DateTimeOffset, DecodeBudget)"/>
    /// decodes the whole mail: the same Message-ID, Date, sender and subject, with the same <see cref="MailLimits"/> caps,
    /// so keys made from either agree.
    /// </summary>
    /// <param name="headers">The header fields read.</param>
    /// <param name="uid">The message's UID.</param>
    /// <param name="internalDate">The IMAP INTERNALDATE, if known.</param>
    /// <param name="size">The IMAP RFC822.SIZE in bytes.</param>
    /// <returns>The decoded message with an empty text.</returns>
    public MailMessage DecodeHeaderFields(HeaderList headers, uint uid, DateTimeOffset? internalDate, long size)
    {
        ArgumentNullException.ThrowIfNull(headers);
        using var stream = new MemoryStream();
        headers.WriteTo(stream);
        stream.Write("\r\n"u8);
        stream.Position = 0;
        var message = MimeMessage.Load(Options, stream);
        return Decode(message, 0, uid, internalDate, size, DateTimeOffset.UnixEpoch, DecodeBudget.Unlimited);
    }

    /// <summary>Parses a raw message and decodes it; see <see cref="Decode(MimeMessage, uint, uint, DateTimeOffset?, long, DateTimeOffset, DecodeBudget)"/>.</summary>
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
        return Decode(message, uidValidity, uid, internalDate, size, fetchedAt, DecodeBudget.Unlimited);
    }

    /// <summary>Decodes a parsed message into the record that is stored for its mailbox.</summary>
    /// <param name="message">The parsed message.</param>
    /// <param name="uidValidity">The folder's UIDVALIDITY.</param>
    /// <param name="uid">The message's UID.</param>
    /// <param name="internalDate">The IMAP INTERNALDATE, if known.</param>
    /// <param name="size">The IMAP RFC822.SIZE in bytes.</param>
    /// <param name="fetchedAt">When the message was fetched (UTC).</param>
    /// <param name="budget">The mail's processing budget; the limits it hit are the message's <see cref="MailMessage.Limits"/>.</param>
    /// <returns>
    /// The decoded message; the text is cut at <see cref="MailMessage.MaxTextLength"/> characters, the subject, header
    /// values and the attachment list at the <see cref="MailLimits"/> caps.
    /// </returns>
    public MailMessage Decode(
        MimeMessage message,
        uint uidValidity,
        uint uid,
        DateTimeOffset? internalDate,
        long size,
        DateTimeOffset fetchedAt,
        DecodeBudget budget)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(budget);

        var content = DecodeContent(message, level: 0, budget);
        var to = message.To.Mailboxes.Select(m => m.Address).Where(a => !string.IsNullOrEmpty(a)).Take(MailLimits.MaxRecipients + 1).ToList();
        if (to.Count > MailLimits.MaxRecipients)
        {
            budget.Hit(MailLimits.Headers);
            to.RemoveAt(to.Count - 1);
        }

        return new MailMessage
        {
            UidValidity = uidValidity,
            Uid = uid,
            MessageId = content.MessageId,
            From = content.From,
            FromName = content.FromName,
            To = [.. to.Select(a => CapHeader(a, budget)!)],
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
            Limits = [.. budget.Limits],
        };
    }

    /// <summary>Parses and decodes a raw message within a processing budget; see <see cref="Decode(MimeMessage, uint, uint, DateTimeOffset?, long, DateTimeOffset, DecodeBudget)"/>.</summary>
    /// <exception cref="FormatException">The stream does not hold a message.</exception>
    public MailMessage Decode(
        Stream rawMessage,
        uint uidValidity,
        uint uid,
        DateTimeOffset? internalDate,
        long size,
        DateTimeOffset fetchedAt,
        DecodeBudget budget,
        CancellationToken cancellationToken)
    {
        var message = Parse(rawMessage, cancellationToken);
        return Decode(message, uidValidity, uid, internalDate, size, fetchedAt, budget);
    }

    /// <summary>A header value cut at <see cref="MailLimits.MaxHeaderLength"/> characters (recorded as <see cref="MailLimits.Headers"/>).</summary>
    private static string? CapHeader(string? value, DecodeBudget budget)
    {
        if (value is null || value.Length <= MailLimits.MaxHeaderLength)
        {
            return value;
        }

        budget.Hit(MailLimits.Headers);
        return Cut(value, MailLimits.MaxHeaderLength);
    }

    /// <summary>Cuts <paramref name="text"/> at <paramref name="length"/> characters without leaving half a surrogate pair.</summary>
    private static string Cut(string text, int length) =>
        text.Length <= length ? text : text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];

    private static ParserOptions CreateParserOptions()
    {
        var options = new ParserOptions();
        options.CharsetEncoding = CodePages.Windows1252;
        return options;
    }

    /// <summary>Decodes one level: the mail itself (level 0) or a mail attached to it (1 to <see cref="MailAttachedMessage.MaxDepth"/>).</summary>
    private static DecodedContent DecodeContent(MimeMessage message, int level, DecodeBudget budget)
    {
        var parts = MimeWalker.Walk(message, budget);
        var body = WithTextAttachment(BodyText(parts, budget), parts, budget);

        // Normalising never lengthens the text: a body far above the kept length is cut first, so a 25 MB text part
        // costs one cut, not a split into millions of lines.
        var cutEarly = body.Length > 4 * MailMessage.MaxTextLength;
        var (text, truncated) = Truncate(NormaliseText(cutEarly ? Cut(body, 4 * MailMessage.MaxTextLength) : body));
        truncated |= cutEarly;
        var (from, fromName) = DecodeSender(message);
        MailAttachedMessage? attached = null;
        if (level < MailAttachedMessage.MaxDepth && parts.AttachedMessage is { } inner && !budget.IsExhausted)
        {
            var innerContent = DecodeContent(inner.Message, level + 1, budget);
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

        var subject = DecodeHeader(message, HeaderId.Subject) ?? message.Subject ?? "";
        if (subject.Length > MailLimits.MaxSubjectLength)
        {
            budget.Hit(MailLimits.Subject);
            subject = Cut(subject, MailLimits.MaxSubjectLength);
        }

        return new DecodedContent
        {
            Subject = subject,
            From = CapHeader(from, budget),
            FromName = CapHeader(fromName, budget),
            MessageId = CapHeader(string.IsNullOrWhiteSpace(message.MessageId) ? null : message.MessageId, budget),
            // MimeKit reports a missing or unparseable Date header as DateTimeOffset.MinValue.
            Date = message.Date == DateTimeOffset.MinValue ? null : message.Date,
            Text = text,
            TextTruncated = truncated,
            Attachments = GetAttachments(parts, budget),
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

    /// <summary>
    /// The body: the plain part, or the HTML part's text rendering when the plain part is missing, blank or a stub and the
    /// HTML part carries the alarm (<see cref="AlternativeChoice"/>).
    /// </summary>
    private static string BodyText(MimeParts parts, DecodeBudget budget)
    {
        var plain = PlainText(parts.Plain);
        var html = parts.Html is null ? null : DecodeText(parts.Html);
        if (string.IsNullOrWhiteSpace(html))
        {
            return plain ?? "";
        }

        var rendered = HtmlTextRenderer.Render(html, budget);
        return plain is null || AlternativeChoice.PreferHtml(plain, rendered) ? rendered : plain;
    }

    /// <summary>
    /// The body, followed by the first plain-text attachment (<c>text/plain</c>, or a file named <c>*.txt</c>, of at most
    /// <see cref="MaxTextAttachmentBytes"/> bytes) when the body writes no built-in label and the attachment does: dispatch
    /// software that sends the alarm as <c>alarm.txt</c> with a body of "see attachment".
    /// </summary>
    private static string WithTextAttachment(string body, MimeParts parts, DecodeBudget budget)
    {
        if (budget.IsExhausted || KnownLabels.CountWritten(body, AlternativeChoice.ScannedChars) > 0)
        {
            return body;
        }

        foreach (var part in parts.Leaves.OfType<MimePart>())
        {
            var mimeType = part.ContentType.MimeType;
            var isText = string.Equals(mimeType, "text/plain", StringComparison.OrdinalIgnoreCase)
                || (part.FileName?.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) ?? false);
            if (!isText || part.Content?.Stream is not { CanSeek: true } stream || stream.Length > MaxTextAttachmentBytes)
            {
                continue;
            }

            var text = InvisibleCharacters.Remove(DecodeText(part));
            if (KnownLabels.CountWritten(text, AlternativeChoice.ScannedChars) > 0)
            {
                return string.IsNullOrWhiteSpace(body) ? text : body.TrimEnd() + "\n\n" + text;
            }
        }

        return body;
    }

    /// <summary>
    /// The text of the <c>text/plain</c> body parts, joined by a blank line (a mail split around an inline image, a footer
    /// part), or <see langword="null"/> when there is none. Stops once the text is far above the kept length.
    /// </summary>
    private static string? PlainText(List<TextPart> parts)
    {
        if (parts.Count <= 1)
        {
            return parts.Count == 0 ? null : PlainText(parts[0]);
        }

        var text = new StringBuilder();
        foreach (var part in parts)
        {
            if (text.Length > 4 * MailMessage.MaxTextLength)
            {
                break;
            }

            var partText = PlainText(part);
            if (!string.IsNullOrWhiteSpace(partText))
            {
                text.Append(text.Length > 0 ? "\n\n" : "").Append(partText.TrimEnd());
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// A <c>text/plain</c> part's text without <see cref="InvisibleCharacters"/>; a <c>format=flowed</c> one with its soft
    /// line breaks joined (RFC 3676).
    /// </summary>
    private static string PlainText(TextPart part)
    {
        var text = InvisibleCharacters.Remove(DecodeText(part));
        var parameters = part.ContentType.Parameters;
        if (!parameters.TryGetValue("format", out string? format) || !string.Equals(format?.Trim(), "flowed", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        // Joining keeps the length (a quote marker may gain a space); a body far above the kept length is cut first, as in DecodeContent.
        var cut = text.Length > 4 * MailMessage.MaxTextLength + 1 ? Cut(text, 4 * MailMessage.MaxTextLength + 1) : text;
        return FlowedText.Unflow(cut, parameters.TryGetValue("delsp", out string? delSp) && string.Equals(delSp?.Trim(), "yes", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A text part's content after its transfer encoding, decoded with <see cref="CharsetRepair"/>.</summary>
    private static string DecodeText(MimePart part)
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

    private static List<MailAttachment> GetAttachments(MimeParts parts, DecodeBudget budget)
    {
        var attachments = new List<MailAttachment>();
        foreach (var part in parts.Leaves)
        {
            if (attachments.Count == MailLimits.MaxAttachments)
            {
                budget.Hit(MailLimits.Attachments);
                break;
            }

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

            if (fileName?.Length > MailLimits.MaxHeaderLength)
            {
                budget.Hit(MailLimits.Attachments);
                fileName = Cut(fileName, MailLimits.MaxHeaderLength);
            }

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
