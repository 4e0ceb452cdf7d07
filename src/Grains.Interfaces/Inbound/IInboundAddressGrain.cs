using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Interfaces.Inbound;

/// <summary>
/// One inbound SMTP address of a tenant (key = address id, <c>inb-…</c>): its token, state and counters, and the
/// newest <see cref="InboundLimits.StoredMessages"/> mails received for it. The address behaves like a mailbox for the
/// alarm pipeline: its id is the mailbox id handed to <c>ITenantAlarmsGrain.IngestAsync</c>, UIDVALIDITY is always 1 and
/// the UID counts up per accepted mail.
/// </summary>
[Alias("alarminbox.IInboundAddressGrain")]
public interface IInboundAddressGrain : IGrainWithStringKey
{
    /// <summary>Creates the address with a new random token and registers it in the directory.</summary>
    /// <exception cref="InvalidOperationException">The address exists already, or the tenant has too many addresses.</exception>
    [Alias("CreateAsync")]
    Task<InboundAddressInfo> CreateAsync(string tenantId, string? description);

    /// <summary>Returns the address, or <see langword="null"/> when it was never created. No side effects.</summary>
    [Alias("GetAsync")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<InboundAddressInfo?> GetAsync();

    /// <summary>Gives the address a new random token; the old one is refused (550) from now on. Revoked addresses stay revoked.</summary>
    /// <exception cref="InvalidOperationException">The address does not exist or is revoked.</exception>
    [Alias("RotateAsync")]
    Task<InboundAddressInfo> RotateAsync();

    /// <summary>Revokes the address: its token is removed from the directory; idempotent. Stored messages stay.</summary>
    /// <exception cref="InvalidOperationException">The address does not exist.</exception>
    [Alias("RevokeAsync")]
    Task<InboundAddressInfo> RevokeAsync();

    /// <summary>
    /// Stores a spooled mail and hands it to the tenant's alarm pipeline, before it returns. Idempotent by
    /// <see cref="InboundDelivery.SpoolId"/>: a delivery seen before is handed to the (idempotent) pipeline again and not stored twice.
    /// </summary>
    /// <returns><see langword="true"/> when the mail was new.</returns>
    [Alias("DeliverAsync")]
    Task<bool> DeliverAsync(InboundDelivery delivery);

    /// <summary>Counts an SMTP refusal after RCPT TO this address (for the status counters).</summary>
    [Alias("RecordRejectionAsync")]
    Task RecordRejectionAsync();

    /// <summary>Returns the newest stored messages, newest first, at most <paramref name="limit"/> (1 to <see cref="InboundLimits.MaxMessagesPage"/>). No side effects.</summary>
    [Alias("GetMessagesAsync")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<MailMessage>> GetMessagesAsync(int limit);
}
