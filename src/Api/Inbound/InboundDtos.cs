using AlarmInbox.Api.Mailboxes;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Api.Inbound;

/// <summary>Creates an inbound address.</summary>
/// <param name="Description">A free-text note, at most 200 characters (e.g. "Leitstelle" or "Outlook rule of the chief").</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record InboundAddressRequest(string? Description);

/// <summary>An inbound address with its status and counters.</summary>
/// <param name="Id">The address id (<c>inb-…</c>), stable across rotations.</param>
/// <param name="Address">The e-mail address to send alarm mail to; changes on rotation.</param>
/// <param name="Description">The note.</param>
/// <param name="State"><c>Active</c> or <c>Revoked</c> (mail to it is refused with 550).</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="RotatedAt">When the token was last rotated (UTC), or null.</param>
/// <param name="RevokedAt">When it was revoked (UTC), or null.</param>
/// <param name="LastReceivedAt">When the last mail was accepted (UTC), or null.</param>
/// <param name="AcceptedCount">Mails accepted (answered 250).</param>
/// <param name="RejectedCount">Transactions refused after RCPT TO this address (too many recipients, spool failure).</param>
/// <param name="LastRejectedAt">When the last refusal happened (UTC), or null.</param>
public sealed record InboundAddressResponse(
    string Id,
    string Address,
    string? Description,
    InboundAddressState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RotatedAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastReceivedAt,
    long AcceptedCount,
    long RejectedCount,
    DateTimeOffset? LastRejectedAt)
{
    internal static InboundAddressResponse From(InboundAddressInfo i) => new(
        i.Id, i.Address, i.Description, i.State, i.CreatedAt, i.RotatedAt, i.RevokedAt, i.LastReceivedAt, i.AcceptedCount, i.RejectedCount, i.LastRejectedAt);
}

/// <summary>A mail received at an inbound address: the fields of a fetched message plus the SMTP envelope.</summary>
/// <param name="Uid">The mail's number at the address (1, 2, …; UIDVALIDITY is always 1), the <c>uid</c> of its alarm source.</param>
/// <param name="EnvelopeFrom">The MAIL FROM address ("" for a bounce).</param>
/// <param name="EnvelopeTo">The RCPT TO addresses of the transaction.</param>
/// <param name="MessageId">Message-ID without brackets, or null.</param>
/// <param name="From">From address, or null.</param>
/// <param name="FromName">From display name, or null.</param>
/// <param name="To">To addresses.</param>
/// <param name="Subject">Decoded subject.</param>
/// <param name="Date">Date header, or null.</param>
/// <param name="ReceivedAt">When the listener accepted it (UTC).</param>
/// <param name="Size">Raw size in bytes.</param>
/// <param name="Text">Decoded text (HTML rendered to text), at most 32768 characters.</param>
/// <param name="TextTruncated">Whether the text was cut.</param>
/// <param name="Attachments">Attachment names, types and sizes.</param>
/// <param name="StoredAt">When AlarmInbox stored it (UTC).</param>
/// <param name="Late">Whether the mail was evaluated more than <c>lateAfterMinutes</c> after it was sent (Date header, else the accept time); the same flag as its alarm's.</param>
/// <param name="AttachedMessage">The mail attached to it (forwarded as an attachment), by its names, or null.</param>
/// <param name="Truncated">Whether processing stopped at a limit (see <c>limits</c>).</param>
/// <param name="Limits">The limits hit; empty for a mail read completely.</param>
public sealed record InboundMessageResponse(
    uint Uid,
    string? EnvelopeFrom,
    IReadOnlyList<string> EnvelopeTo,
    string? MessageId,
    string? From,
    string? FromName,
    IReadOnlyList<string> To,
    string Subject,
    DateTimeOffset? Date,
    DateTimeOffset? ReceivedAt,
    long Size,
    string Text,
    bool TextTruncated,
    IReadOnlyList<AttachmentResponse> Attachments,
    DateTimeOffset StoredAt,
    bool Late,
    AttachedMessageResponse? AttachedMessage,
    bool Truncated,
    IReadOnlyList<string> Limits)
{
    internal static InboundMessageResponse Create(MailMessage m) => new(
        m.Uid, m.EnvelopeFrom, m.EnvelopeTo, m.MessageId, m.From, m.FromName, m.To, m.Subject, m.Date, m.InternalDate, m.Size, m.Text,
        m.TextTruncated, m.Attachments.Select(a => new AttachmentResponse(a.FileName, a.ContentType, a.Size)).ToList(), m.FetchedAt, m.Late,
        AttachedMessageResponse.Create(m.AttachedMessage), m.Truncated, m.Limits);
}
