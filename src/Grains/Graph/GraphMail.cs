namespace AlarmInbox.Grains.Graph;

/// <summary>A message read as raw MIME (<c>/messages/{id}/$value</c>); decoding is the ingestion path's job.</summary>
/// <param name="Id">Its Graph id.</param>
/// <param name="ReceivedAt">Its <c>receivedDateTime</c>.</param>
/// <param name="Raw">The raw message (RFC 5322 bytes).</param>
public sealed record GraphMail(string Id, DateTimeOffset? ReceivedAt, byte[] Raw)
{
    /// <summary>The raw message's size in bytes.</summary>
    public long Size => Raw.LongLength;
}
