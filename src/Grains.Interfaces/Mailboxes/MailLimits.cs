namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>The codes of <see cref="MailMessage.Limits"/>: which processing limit a mail hit.</summary>
public static class MailLimits
{
    /// <summary>The mail could not be parsed as a message at all; stored with its headers' absence and an empty text.</summary>
    public const string Undecodable = "undecodable";

    /// <summary>Multiparts nested deeper than the walk's cap were not read.</summary>
    public const string MimeDepth = "mime_depth";

    /// <summary>Tables nested deeper than the HTML renderer's cap were rendered as plain text runs, not as tables.</summary>
    public const string HtmlNesting = "html_nesting";

    /// <summary>The HTML rendering reached its output cap; the rest of the HTML was not read.</summary>
    public const string HtmlOutput = "html_output";

    /// <summary>The mail's processing time budget ran out; what was extracted until then was kept.</summary>
    public const string TimeBudget = "time_budget";

    /// <summary>
    /// The mail was larger than its path's size limit (IMAP: <c>AlarmInbox:Imap:MaxMessageBytes</c>, 25 MiB by default):
    /// only its first bytes were fetched and decoded, its size is the real one. Text that comes after a large attachment
    /// is not among them; the alarm then has the headers and the subject.
    /// </summary>
    public const string Size = "size";

    /// <summary>The subject was longer than <see cref="MaxSubjectLength"/> characters and was cut.</summary>
    public const string Subject = "subject";

    /// <summary>A header value (sender, sender name, Message-ID, a recipient) was longer than <see cref="MaxHeaderLength"/> characters, or there were more than <see cref="MaxRecipients"/> recipients; cut.</summary>
    public const string Headers = "headers";

    /// <summary>The mail had more than <see cref="MaxAttachments"/> attachments (only the first are listed), or a longer file name than <see cref="MaxHeaderLength"/>.</summary>
    public const string Attachments = "attachments";

    /// <summary>The longest subject kept, in characters (RFC 5322 section 2.1.1's line limit).</summary>
    public const int MaxSubjectLength = 998;

    /// <summary>The longest header value kept (sender, sender name, Message-ID, recipient, attachment file name), in characters.</summary>
    public const int MaxHeaderLength = 320;

    /// <summary>The most recipients (To, envelope recipients) kept per mail.</summary>
    public const int MaxRecipients = 100;

    /// <summary>The most attachments listed per mail.</summary>
    public const int MaxAttachments = 100;
}
