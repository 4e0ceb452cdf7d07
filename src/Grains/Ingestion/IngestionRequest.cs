using AlarmInbox.Grains.Interfaces.Ingestion;

namespace AlarmInbox.Grains.Ingestion;

/// <summary>A batch of raw mails from one path, for <see cref="MailIngestion.IngestAsync"/>.</summary>
public sealed record IngestionRequest
{
    /// <summary>The tenant that received the mails.</summary>
    public required string TenantId { get; init; }

    /// <summary>The path and the mailbox or inbound address.</summary>
    public required MailPath Path { get; init; }

    /// <summary>The mails, in UID order.</summary>
    public required IReadOnlyList<RawMail> Mails { get; init; }

    /// <summary>Mailbox paths (IMAP, Graph): the mailbox's last UID for this UIDVALIDITY before the batch; see <c>IMailboxMessagesGrain.AddAsync</c>.</summary>
    public uint WatermarkLastUid { get; init; }

    /// <summary>Mailbox paths: after a UIDVALIDITY change, also skip messages whose content key is already stored.</summary>
    public bool SkipKnownContent { get; init; }
}
