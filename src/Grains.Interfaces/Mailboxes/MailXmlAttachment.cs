namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>The content of a small XML attachment (an incident record of the dispatch centre), kept for evaluation.</summary>
/// <param name="FileName">The file name, or <see langword="null"/>.</param>
/// <param name="ContentType">The MIME type, e.g. <c>application/xml</c>.</param>
/// <param name="Content">The decoded XML text (charset from the Content-Type, else the XML declaration, else UTF-8).</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailXmlAttachment")]
public sealed record MailXmlAttachment([property: Id(0)] string? FileName, [property: Id(1)] string ContentType, [property: Id(2)] string Content);
