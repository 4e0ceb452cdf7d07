namespace AlarmInbox.Api.Security;

/// <summary>Claim types and role names of an authenticated API key.</summary>
public static class ApiClaims
{
    /// <summary>The authentication scheme name.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>The key id claim.</summary>
    public const string KeyId = "alarminbox:key-id";

    /// <summary>The tenant id claim of a tenant admin key.</summary>
    public const string TenantId = "alarminbox:tenant-id";

    /// <summary>The operator role: everything.</summary>
    public const string OperatorRole = "operator";

    /// <summary>The tenant admin role: one tenant.</summary>
    public const string TenantAdminRole = "tenantAdmin";
}
