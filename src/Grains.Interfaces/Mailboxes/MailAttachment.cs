namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>An attachment of a stored message (its content is not kept).</summary>
/// <param name="FileName">The file name, decoded (RFC 2231); <see langword="null"/> when the part has none.</param>
/// <param name="ContentType">The MIME type, e.g. <c>application/pdf</c>.</param>
/// <param name="Size">The decoded size in bytes.</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailAttachment")]
public sealed record MailAttachment([property: Id(0)] string? FileName, [property: Id(1)] string ContentType, [property: Id(2)] long Size);
