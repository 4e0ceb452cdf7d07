using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Interfaces.Tenants;

/// <summary>An organisation, keyed by its tenant id; holds its name and the set of its mailbox ids.</summary>
[Alias("alarminbox.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant.</summary>
    /// <param name="name">The organisation's name (see <see cref="TenantValidator"/>).</param>
    /// <returns>The tenant, or <see langword="null"/> if a tenant with this id already exists (nothing changed).</returns>
    /// <exception cref="ArgumentException">The id or the name is invalid.</exception>
    [Alias("CreateAsync")]
    Task<TenantInfo?> CreateAsync(string name);

    /// <summary>Returns the tenant, or <see langword="null"/> if it does not exist. Has no side effects.</summary>
    [Alias("GetAsync")]
    Task<TenantInfo?> GetAsync();

    /// <summary>Deletes the tenant; refused while it has mailboxes unless <paramref name="cascade"/> deletes them too.</summary>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("DeleteAsync")]
    Task<TenantDeleteOutcome> DeleteAsync(bool cascade);

    /// <summary>Creates a mailbox of this tenant with a new id, then sets its watermark (see <see cref="IMailboxGrain.CreateAsync"/>).</summary>
    /// <returns>The new mailbox, or <see langword="null"/> if the tenant does not exist.</returns>
    /// <exception cref="ArgumentException">The settings or the backfill are invalid.</exception>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("CreateMailboxAsync")]
    Task<MailboxDetails?> CreateMailboxAsync(MailboxSettings settings, int backfill);

    /// <summary>Deletes one of this tenant's mailboxes.</summary>
    /// <returns><see langword="false"/> if the tenant or the mailbox (in this tenant) does not exist.</returns>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("DeleteMailboxAsync")]
    Task<bool> DeleteMailboxAsync(string mailboxId);

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
