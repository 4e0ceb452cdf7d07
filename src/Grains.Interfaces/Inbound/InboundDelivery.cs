using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Interfaces.Inbound;

/// <summary>A mail received over SMTP and spooled, decoded, for one inbound address.</summary>
/// <param name="SpoolId">The spool entry's id: the idempotency key of the delivery.</param>
/// <param name="Message">The decoded mail with <see cref="MailMessage.EnvelopeFrom"/> and <see cref="MailMessage.EnvelopeTo"/> set; its UIDVALIDITY and UID are assigned by the address.</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.InboundDelivery")]
public sealed record InboundDelivery([property: Id(0)] string SpoolId, [property: Id(1)] MailMessage Message);
