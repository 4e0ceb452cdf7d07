using AlarmInbox.Grains.Interfaces.Tenants;

namespace AlarmInbox.Grains.Interfaces.Security;

/// <summary>The rules of a new API key, applied once, by <see cref="IApiKeyDirectoryGrain.CreateAsync"/>.</summary>
public static class ApiKeyValidator
{
    /// <summary>The longest key name, in characters.</summary>
    public const int MaxNameLength = 100;

    /// <summary>
    /// Checks name, role and tenant id. Field names are the API's JSON names. A tenant admin key's tenant must also exist;
    /// <paramref name="tenantExists"/> says whether it does (asked only for a well-formed id).
    /// </summary>
    /// <returns>An empty dictionary when valid, otherwise field name → messages.</returns>
    public static async Task<Dictionary<string, string[]>> ValidateAsync(NewApiKey key, Func<string, Task<bool>> tenantExists)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(tenantExists);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(key.Name) || key.Name.Length > MaxNameLength || key.Name.Any(char.IsControl))
        {
            errors["name"] = [$"name must be 1 to {MaxNameLength} characters, without control characters (e.g. 'Leitstelle import')."];
        }

        if (key.Role is not { } role || !Enum.IsDefined(role))
        {
            errors["role"] = ["role must be Operator or TenantAdmin."];
        }
        else if (role == ApiKeyRole.TenantAdmin)
        {
            if (!TenantValidator.IsValidId(key.TenantId) || !await tenantExists(key.TenantId!))
            {
                errors["tenantId"] = ["tenantId must name an existing tenant for a TenantAdmin key."];
            }
        }
        else if (key.TenantId is not null)
        {
            errors["tenantId"] = ["tenantId must be omitted for an Operator key (it has every tenant)."];
        }

        return errors;
    }
}
