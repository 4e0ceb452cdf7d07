using System.Text;
using MimeKit;

namespace AlarmInbox.Tests.Mime;

/// <summary>Hostile mails generated for the tests (issue 16): nothing here is stored in the repository as a file.</summary>
public static class MailBombs
{
    /// <summary>HTML of <paramref name="depth"/> nested one-cell tables with a label row at the bottom (about 30 bytes per level).</summary>
    public static string NestedTables(int depth)
    {
        var html = new StringBuilder("<html><body><p>Vor den Tabellen</p>");
        for (var i = 0; i < depth; i++)
        {
            html.Append("<table><tr><td>");
        }

        html.Append("<table><tr><td>Einsatznummer</td><td>2026-999001</td></tr></table>");
        for (var i = 0; i < depth; i++)
        {
            html.Append("</td></tr></table>");
        }

        return html.Append("<p>Nach den Tabellen</p></body></html>").ToString();
    }

    /// <summary>A raw HTML-only mail whose body is <see cref="NestedTables"/> of <paramref name="depth"/> levels.</summary>
    public static byte[] NestedTablesMail(int depth, string messageId) => Encoding.UTF8.GetBytes(
        "From: Spam <spam@bomb.example>\r\nTo: alarm@ff-musterdorf.example\r\nSubject: Tabellen\r\n"
        + $"Message-ID: <{messageId}>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + NestedTables(depth) + "\r\n");

    /// <summary>A raw mail of <paramref name="depth"/> nested multiparts, with a text part at the first level and one at the bottom.</summary>
    public static byte[] NestedMultiparts(int depth, string messageId)
    {
        var mail = new StringBuilder("From: ILS Musterland <alarmierung@ils-musterland.example>\r\nTo: alarm@ff-musterdorf.example\r\n")
            .Append("Subject: Verschachtelt\r\n").Append($"Message-ID: <{messageId}>\r\nMIME-Version: 1.0\r\n")
            .Append("Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
            .Append("Einsatznummer: 2026-999002\r\nStichwort: B1 Oben\r\n--b0\r\n");
        for (var i = 1; i <= depth; i++)
        {
            mail.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        }

        mail.Append("Content-Type: text/plain; charset=utf-8\r\n\r\nUnten: nie gelesen\r\n");
        for (var i = depth; i >= 0; i--)
        {
            mail.Append($"--b{i}--\r\n");
        }

        return Encoding.UTF8.GetBytes(mail.ToString());
    }

    /// <summary>A raw mail with a subject of <paramref name="subjectLength"/> characters and <paramref name="attachments"/> tiny attachments.</summary>
    public static byte[] Oversized(int subjectLength, int attachments, string messageId)
    {
        var mail = new StringBuilder("From: ILS Musterland <alarmierung@ils-musterland.example>\r\nTo: alarm@ff-musterdorf.example\r\n")
            .Append("Subject: ").Append('B', subjectLength).Append("\r\n")
            .Append($"Message-ID: <{messageId}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n")
            .Append("--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nEinsatznummer: 2026-999003\r\nStichwort: B2 Gross\r\n");
        for (var i = 0; i < attachments; i++)
        {
            mail.Append($"--x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"a{i}.bin\"\r\n\r\nx\r\n");
        }

        return Encoding.UTF8.GetBytes(mail.Append("--x--\r\n").ToString());
    }

    /// <summary>
    /// A large alarm mail from the dispatch centre: a text part with the incident number and keyword, and an attachment of
    /// <paramref name="attachmentBytes"/> pseudo-random bytes (base64, so the mail has about 4/3 of that); the text before
    /// the attachment, or after it when <paramref name="textFirst"/> is <see langword="false"/>. The subject is the keyword.
    /// </summary>
    public static MimeMessage Huge(int attachmentBytes, bool textFirst, string messageId, string incident, string keyword)
    {
        var bytes = new byte[attachmentBytes];
        new Random(16).NextBytes(bytes);
        var text = new TextPart("plain") { Text = $"Einsatznummer: {incident}\nStichwort: {keyword}\nOrt: Musterdorf, Hauptstraße 1" };
        var attachment = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new MemoryStream(bytes)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = "lageplan.bin" },
            ContentTransferEncoding = ContentEncoding.Base64,
        };
        var body = new Multipart("mixed");
        if (textFirst)
        {
            body.Add(text);
            body.Add(attachment);
        }
        else
        {
            body.Add(attachment);
            body.Add(text);
        }

        var message = new MimeMessage { Subject = keyword, MessageId = messageId, Body = body };
        message.From.Add(new MailboxAddress("ILS Musterland", "alarmierung@ils-musterland.example"));
        message.To.Add(MailboxAddress.Parse("alarm@ff-musterdorf.example"));
        return message;
    }
}
