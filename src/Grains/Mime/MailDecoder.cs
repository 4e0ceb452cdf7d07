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

        var sender = message.From.Mailboxes.FirstOrDefault();
        var (text, truncated) = Truncate(NormaliseText(GetBodyText(message)));

        return new MailMessage
        {
            UidValidity = uidValidity,
            Uid = uid,
            MessageId = string.IsNullOrWhiteSpace(message.MessageId) ? null : message.MessageId,
            From = string.IsNullOrEmpty(sender?.Address) ? null : sender.Address,
            FromName = string.IsNullOrWhiteSpace(sender?.Name) ? null : sender.Name,
            To = [.. message.To.Mailboxes.Select(m => m.Address).Where(a => !string.IsNullOrEmpty(a))],
            Subject = message.Subject ?? "",
            // MimeKit reports a missing or unparseable Date header as DateTimeOffset.MinValue.
            Date = message.Date == DateTimeOffset.MinValue ? null : message.Date,
            InternalDate = internalDate,
            Size = size,
            Text = text,
            TextTruncated = truncated,
            Attachments = GetAttachments(message),
            FetchedAt = fetchedAt,
            XmlAttachments = GetXmlAttachments(message),
        };
    }

    private static ParserOptions CreateParserOptions()
    {
        // .NET only ships UTF-*, ASCII and ISO-8859-1 without the code pages provider, and MimeKit does
        // not register it: without this, windows-1252 bodies and headers silently decode as ISO-8859-1.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

        var options = new ParserOptions();
        options.CharsetEncoding = Encoding.GetEncoding(1252);
        return options;
    }

    private static string GetBodyText(MimeMessage message)
    {
        var plain = message.TextBody;
        if (!string.IsNullOrWhiteSpace(plain))
        {
            return plain;
        }

        var html = message.HtmlBody;
        if (!string.IsNullOrWhiteSpace(html))
        {
            return HtmlTextRenderer.Render(html);
        }

        return plain ?? "";
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

    private static List<MailAttachment> GetAttachments(MimeMessage message)
    {
        var attachments = new List<MailAttachment>();
        foreach (var part in message.BodyParts)
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

    private static List<MailXmlAttachment> GetXmlAttachments(MimeMessage message)
    {
        var result = new List<MailXmlAttachment>();
        foreach (var part in message.BodyParts.OfType<MimePart>())
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
}
