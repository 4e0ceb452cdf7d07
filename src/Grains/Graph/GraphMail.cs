namespace AlarmInbox.Grains.Graph;

/// <summary>A message read as raw MIME (<c>/messages/{id}/$value</c>); decoding is the ingestion path's job.</summary>
/// <param name="Id">Its Graph id.</param>
/// <param name="ReceivedAt">Its <c>receivedDateTime</c>.</param>
/// <param name="Raw">The raw message (RFC 5322 bytes); only its first <see cref="GraphOptions.MaxMessageBytes"/> bytes when <paramref name="Partial"/>.</param>
/// <param name="Partial">Whether the message was larger than <see cref="GraphOptions.MaxMessageBytes"/> and <paramref name="Raw"/> holds only its first bytes.</param>
/// <param name="FullSize">For a partial message, its size in bytes as Graph announced it (<c>Content-Length</c>), or, when Graph announced none, one more than the bytes kept (the real size is not read); <see langword="null"/> for a complete one.</param>
public sealed record GraphMail(string Id, DateTimeOffset? ReceivedAt, byte[] Raw, bool Partial = false, long? FullSize = null)
{
    /// <summary>The message's size in bytes: the raw bytes' length, or <see cref="FullSize"/> for a partial message.</summary>
    public long Size => FullSize ?? Raw.LongLength;
}
