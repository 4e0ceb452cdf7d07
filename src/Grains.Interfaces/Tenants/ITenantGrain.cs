using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Mailboxes;

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
    /// <see cref="IMailboxGrain.CreateAsync"/>, which checks the settings and the backfill).
    /// </summary>
    /// <returns>The new mailbox; or, with nothing changed, not found (field <c>tenantId</c>) or the mailbox's refusal of the input.</returns>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("CreateMailboxAsync")]
    Task<CommandResult<MailboxDetails>> CreateMailboxAsync(MailboxSettings settings, int backfill);

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
