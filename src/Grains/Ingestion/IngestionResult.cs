using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Ingestion;

/// <summary>What <see cref="MailIngestion.IngestAsync"/> did with a batch.</summary>
/// <param name="Messages">The decoded messages as stored, in order.</param>
/// <param name="Outcomes">The alarm pipeline's outcome per mail, in order.</param>
/// <param name="Added">Messages newly stored.</param>
/// <param name="StoredBefore">Mailbox paths: messages above the watermark that were stored already (an attempt that died before its watermark write).</param>
public sealed record IngestionResult(IReadOnlyList<MailMessage> Messages, IReadOnlyList<IngestOutcome> Outcomes, int Added, int StoredBefore);
