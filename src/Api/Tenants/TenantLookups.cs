using AlarmInbox.Grains.Interfaces.Tenants;

namespace AlarmInbox.Api.Tenants;

/// <summary>The ownership checks every tenant-scoped endpoint starts with; a malformed tenant id never reaches a grain.</summary>
public static class TenantLookups
{
    /// <summary>Whether the tenant exists.</summary>
    public static async Task<bool> TenantExistsAsync(this IGrainFactory grains, string tenantId) =>
        TenantValidator.IsValidId(tenantId) && await grains.GetGrain<ITenantGrain>(tenantId).GetAsync() is not null;

    /// <summary>Whether <paramref name="mailboxId"/> is one of the tenant's mailboxes (false for an unknown tenant).</summary>
    public static async Task<bool> OwnsMailboxAsync(this IGrainFactory grains, string tenantId, string mailboxId) =>
        TenantValidator.IsValidId(tenantId) && await grains.GetGrain<ITenantGrain>(tenantId).HasMailboxAsync(mailboxId);
}
