namespace AlarmInbox.Grains.Interfaces.Ingestion;

/// <summary>Where a mail came in: the path and the mailbox or inbound address of the tenant that received it.</summary>
/// <param name="Kind">IMAP, SMTP or Graph.</param>
/// <param name="SourceId">The mailbox id (<c>mbx-…</c>) or inbound address id (<c>inb-…</c>).</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailPath")]
public sealed record MailPath([property: Id(0)] MailPathKind Kind, [property: Id(1)] string SourceId)
{
    /// <summary>The path of a mailbox or inbound address id: <c>inb-…</c> is SMTP, anything else IMAP.</summary>
    public static MailPath ForSource(string sourceId) =>
        new(Ids.EntityIds.HasPrefix(sourceId, Ids.EntityIds.InboundAddress) ? MailPathKind.Smtp : MailPathKind.Imap, sourceId);
}
