using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Orleans.Concurrency;

namespace AlarmInbox.Grains.Interfaces.Tenants;

/// <summary>An organisation, keyed by its tenant id; holds its name and the set of its mailbox ids.</summary>
[Alias("alarminbox.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant; checks its own id (the grain key) and the name (see <see cref="TenantValidator"/>).</summary>
    /// <param name="name">The organisation's name; trimmed.</param>
    /// <returns>
    /// The tenant; or, with nothing changed, invalid input (fields <c>id</c>, <c>name</c>), or a conflict (field <c>id</c>)
    /// when a tenant with this id exists already.
    /// </returns>
    [Alias("CreateAsync")]
    Task<CommandResult<TenantInfo>> CreateAsync(string? name);

    /// <summary>Returns the tenant, or <see langword="null"/> if it does not exist. Has no side effects.</summary>
    [Alias("GetAsync")]
    Task<TenantInfo?> GetAsync();

    /// <summary>Deletes the tenant; refused while it has mailboxes unless <paramref name="cascade"/> deletes them too.</summary>
    /// <returns>
    /// <see langword="null"/> when deleted; otherwise, with nothing changed, not found (field <c>tenantId</c>) or a conflict
    /// (field <c>cascade</c>) while it has mailboxes and <paramref name="cascade"/> is false.
    /// </returns>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("DeleteAsync")]
    Task<CommandError?> DeleteAsync(bool cascade);

    /// <summary>
    /// Creates a mailbox of this tenant with a new id (<see cref="Ids.EntityIds"/>), then sets its watermark (see
    /// <see cref="IMailboxGrain.CreateAsync"/>, which checks the settings and the backfill). The id is listed by
    /// <see cref="ReserveMailboxAsync"/>, one call at a time; the mailbox's first contact with its server (up to
    /// <c>AlarmInbox:Polling:InitialContactTimeout</c>) runs interleaved, so other calls on the tenant do not wait for it.
    /// </summary>
    /// <returns>
    /// The new mailbox; or, with nothing changed, not found (field <c>tenantId</c>), a conflict (field <c>tenantId</c>) at the
    /// mailbox limit, or the mailbox's refusal of the input; or not found (field <c>tenantId</c>, or <c>mailboxId</c>) when
    /// the tenant or the new mailbox was deleted while the mailbox made its first contact (the mailbox is deleted then).
    /// </returns>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [AlwaysInterleave]
    [Alias("CreateMailboxAsync")]
    Task<CommandResult<MailboxDetails>> CreateMailboxAsync(MailboxSettings settings, int backfill);

    /// <summary>
    /// The first step of <see cref="CreateMailboxAsync"/> (not for other callers): lists a new mailbox id, checked against
    /// the tenant's existence and <c>AlarmInbox:Tenants:MaxMailboxes</c> one call at a time, so concurrent creates cannot
    /// pass the limit together. Listed first, created second: a crash in between leaves an id that lists as missing,
    /// never a mailbox that polls without belonging to a tenant.
    /// </summary>
    /// <returns>The new id; or, with nothing changed, not found (field <c>tenantId</c>) or a conflict (field <c>tenantId</c>) at the limit.</returns>
    [Alias("ReserveMailboxAsync")]
    Task<CommandResult<string>> ReserveMailboxAsync();

    /// <summary>Takes an id listed by <see cref="ReserveMailboxAsync"/> off the list again because the mailbox refused its settings or its creation failed (not for other callers). Idempotent.</summary>
    [Alias("ReleaseMailboxAsync")]
    Task ReleaseMailboxAsync(string mailboxId);

    /// <summary>Deletes one of this tenant's mailboxes.</summary>
    /// <returns><see langword="null"/> when deleted; otherwise not found: the tenant (field <c>tenantId</c>), or the mailbox in this tenant (field <c>mailboxId</c>).</returns>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("DeleteMailboxAsync")]
    Task<CommandError?> DeleteMailboxAsync(string mailboxId);

    /// <summary>Whether <paramref name="mailboxId"/> is one of this tenant's mailboxes.</summary>
    [Alias("HasMailboxAsync")]
    Task<bool> HasMailboxAsync(string mailboxId);

    /// <summary>Lists the tenant's mailboxes with their status, in creation order; <see langword="null"/> if the tenant does not exist.</summary>
    [Alias("ListMailboxesAsync")]
    Task<IReadOnlyList<MailboxDetails>?> ListMailboxesAsync();

    /// <summary>Activates every enabled mailbox of the tenant (silo start-up). Idempotent.</summary>
    [Alias("EnsureMailboxesRunningAsync")]
    Task EnsureMailboxesRunningAsync();
}
