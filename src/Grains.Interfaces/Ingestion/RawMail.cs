namespace AlarmInbox.Grains.Interfaces.Ingestion;

/// <summary>One mail as it arrived, before decoding: the input of the ingestion path.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.RawMail")]
public sealed record RawMail
{
    /// <summary>The folder's UIDVALIDITY (IMAP), or the path's constant (SMTP: 1).</summary>
    [Id(0)] public required uint UidValidity { get; init; }

    /// <summary>The mail's UID on its path (IMAP UID, or the inbound address's counter).</summary>
    [Id(1)] public required uint Uid { get; init; }

    /// <summary>The raw message (RFC 5322 bytes).</summary>
    [Id(2)] public required byte[] Raw { get; init; }

    /// <summary>When the server received it (IMAP INTERNALDATE, the SMTP listener's accept time, Graph's receivedDateTime), if known.</summary>
    [Id(3)] public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>SMTP only: the envelope sender (MAIL FROM), "" for the null reverse-path.</summary>
    [Id(4)] public string? EnvelopeFrom { get; init; }

    /// <summary>SMTP only: the envelope recipients (RCPT TO).</summary>
    [Id(5)] public IReadOnlyList<string> EnvelopeTo { get; init; } = [];

    /// <summary>The size the server reports (IMAP RFC822.SIZE); the length of <see cref="Raw"/> when 0.</summary>
    [Id(6)] public long Size { get; init; }

    /// <summary>
    /// Whether <see cref="Raw"/> holds only the first bytes of a larger mail (IMAP: above <c>AlarmInbox:Imap:MaxMessageBytes</c>);
    /// <see cref="Size"/> is then its real size. The decoded message is flagged <c>size</c>.
    /// </summary>
    [Id(7)] public bool Partial { get; init; }
}
