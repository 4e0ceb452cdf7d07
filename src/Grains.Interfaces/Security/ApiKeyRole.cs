namespace AlarmInbox.Grains.Interfaces.Security;

/// <summary>What an API key may do.</summary>
public enum ApiKeyRole
{
    /// <summary>Everything: all tenants, API keys, the audit log and cluster-wide endpoints.</summary>
    Operator = 0,

    /// <summary>The endpoints of one tenant only (<see cref="ApiKeyInfo.TenantId"/>).</summary>
    TenantAdmin = 1,
}
