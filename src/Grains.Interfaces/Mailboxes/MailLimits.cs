namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>The codes of <see cref="MailMessage.Limits"/>: which processing limit a mail hit.</summary>
public static class MailLimits
{
    /// <summary>The mail could not be parsed as a message at all; stored with its headers' absence and an empty text.</summary>
    public const string Undecodable = "undecodable";

    /// <summary>Multiparts nested deeper than the walk's cap were not read.</summary>
    public const string MimeDepth = "mime_depth";
}
