using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Interfaces.Inbound;

/// <summary>
/// One inbound SMTP address of a tenant (key = address id, <c>inb-…</c>): its token, state and counters, and the
/// newest <see cref="InboundLimits.StoredMessages"/> mails received for it. The address behaves like a mailbox for the
/// alarm pipeline (path SMTP, source id = the address id), UIDVALIDITY is always 1 and
/// the UID counts up per accepted mail.
/// </summary>
[Alias("alarminbox.IInboundAddressGrain")]
public interface IInboundAddressGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the address (its id is the grain key, made by <see cref="Ids.EntityIds"/>) with a new random token and
    /// registers it in the directory. A blank description is stored as none; others are trimmed.
    /// </summary>
    /// <returns>
    /// The address; or, with nothing stored, invalid input (a description longer than
    /// <see cref="InboundLimits.MaxDescriptionLength"/>, field <c>description</c>) or a conflict (field <c>tenantId</c>)
    /// when the tenant has <see cref="InboundLimits.MaxAddressesPerTenant"/> addresses, a limit the directory grain
    /// enforces one call at a time, so concurrent creates cannot pass it together.
    /// </returns>
    /// <exception cref="InvalidOperationException">The address exists already (ids are random: a caller's bug).</exception>
    [Alias("CreateAsync")]
    Task<CommandResult<InboundAddressInfo>> CreateAsync(string tenantId, string? description);

    /// <summary>Returns the address, or <see langword="null"/> when it was never created. No side effects.</summary>
    [Alias("GetAsync")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<InboundAddressInfo?> GetAsync();

    /// <summary>Gives the address a new random token; the old one is refused (550) from now on. Revoked addresses stay revoked.</summary>
    /// <param name="tenantId">The tenant the caller addresses it through: another tenant's address is not found.</param>
    /// <returns>The address; or, with nothing changed, not found (field <c>addressId</c>) or a conflict (field <c>addressId</c>) when it is revoked.</returns>
    [Alias("RotateAsync")]
    Task<CommandResult<InboundAddressInfo>> RotateAsync(string tenantId);

    /// <summary>Revokes the address: its token is removed from the directory; idempotent. Stored messages stay.</summary>
    /// <param name="tenantId">The tenant the caller addresses it through: another tenant's address is not found.</param>
    /// <returns>The address; or not found (field <c>addressId</c>).</returns>
    [Alias("RevokeAsync")]
    Task<CommandResult<InboundAddressInfo>> RevokeAsync(string tenantId);

    /// <summary>
    /// Deletes the address for good (its tenant is deleted): the token is removed from the directory, so mail to it is
    /// refused (550), and the stored messages and counters are deleted; a mail still in the spool for it is dropped.
    /// Idempotent.
    /// </summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();

    /// <summary>
    /// Gives a spooled mail its UID on this address (the next one, or the one it got before: idempotent by
    /// <paramref name="spoolId"/>) and persists the mapping before it returns, so that a retried hand-off keeps the UID.
    /// </summary>
    /// <param name="spoolId">The spool entry's id.</param>
    /// <returns>The UID (UIDVALIDITY is always 1), or 0 when the address does not exist (deleted with its tenant after the mail was accepted): the mail is to be dropped.</returns>
    [Alias("ReserveUidAsync")]
    Task<uint> ReserveUidAsync(string spoolId);

    /// <summary>
    /// The store step of the ingestion path for this address: stores the decoded messages whose UID is not stored yet and
    /// counts them as accepted. Idempotent by UID.
    /// </summary>
    /// <param name="messages">Decoded messages with UIDs from <see cref="ReserveUidAsync"/>.</param>
    /// <returns>How many were added (<see cref="MessageStoreResult.StoredBefore"/> is always 0).</returns>
    [Alias("StoreMessagesAsync")]
    Task<MessageStoreResult> StoreMessagesAsync(IReadOnlyList<MailMessage> messages);

    /// <summary>Counts an SMTP refusal after RCPT TO this address (for the status counters).</summary>
    [Alias("RecordRejectionAsync")]
    Task RecordRejectionAsync();

    /// <summary>Returns the newest stored messages, newest first, at most <paramref name="limit"/> (1 to <see cref="InboundLimits.MaxMessagesPage"/>). No side effects.</summary>
    [Alias("GetMessagesAsync")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<MailMessage>> GetMessagesAsync(int limit);
}
