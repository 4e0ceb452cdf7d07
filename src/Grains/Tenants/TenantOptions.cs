namespace AlarmInbox.Grains.Tenants;

/// <summary>
/// Per-tenant limits that keep one tenant from growing what every silo carries; section <c>AlarmInbox:Tenants</c>.
/// A create beyond a limit answers 409 (ProblemDetails naming <c>tenantId</c>) and changes nothing.
/// </summary>
public sealed class TenantOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Tenants";

    /// <summary>How many mailboxes (IMAP or Graph) a tenant may have; each one is a grain that polls or keeps a session. Default 100.</summary>
    public int MaxMailboxes { get; set; } = 100;

    /// <summary>How many valid (not revoked) tenant-admin API keys a tenant may have. Default 25.</summary>
    public int MaxActiveApiKeys { get; set; } = 25;

    /// <summary>
    /// How many API keys of a tenant, revoked ones included, the key directory keeps; beyond it the longest-revoked keys
    /// of that tenant are dropped (a dropped key is unknown, so it stays refused). Default 100; at least
    /// <see cref="MaxActiveApiKeys"/>.
    /// </summary>
    public int MaxStoredApiKeys { get; set; } = 100;
}
