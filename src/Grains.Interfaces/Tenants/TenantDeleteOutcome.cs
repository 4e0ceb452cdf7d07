namespace AlarmInbox.Grains.Interfaces.Tenants;

/// <summary>What <see cref="ITenantGrain.DeleteAsync"/> did.</summary>
[GenerateSerializer]
[Alias("alarminbox.TenantDeleteOutcome")]
public enum TenantDeleteOutcome
{
    /// <summary>The tenant (and, with cascade, its mailboxes) was deleted.</summary>
    Deleted = 0,

    /// <summary>The tenant does not exist.</summary>
    NotFound = 1,

    /// <summary>The tenant still has mailboxes and cascade was not asked for; nothing changed.</summary>
    HasMailboxes = 2,
}
