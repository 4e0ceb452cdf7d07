namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>
/// Turns what admins paste as the tenant into one form: a lower-case tenant GUID or verified domain. Accepted are a bare
/// GUID or domain and the authority URLs of the setup guides (<c>https://login.microsoftonline.com/{tenant}</c>, with or
/// without a trailing <c>/</c>, <c>/v2.0</c>, <c>/oauth2/v2.0/token</c>, <c>/oauth2/token</c> or <c>/v2.0/.well-known/openid-configuration</c>).
/// </summary>
public static class Office365Tenant
{
    /// <summary>The tenant of personal Microsoft accounts, which has no Exchange Online mailboxes for apps.</summary>
    private const string ConsumersTenantId = "9188040d-6c67-4c5b-b112-36a304b66dad";

    private static readonly string[] AcceptedSuffixes =
    [
        "", "v2.0", "oauth2/v2.0/token", "oauth2/token", "oauth2/v2.0/authorize", "oauth2/authorize",
        ".well-known/openid-configuration", "v2.0/.well-known/openid-configuration",
    ];

    /// <summary>Normalises <paramref name="input"/>.</summary>
    /// <param name="input">What the admin entered.</param>
    /// <param name="authorityHost">The configured authority host; a pasted URL must name this host.</param>
    /// <param name="tenant">The normalised tenant when valid, else "".</param>
    /// <param name="error">Why it was refused and what to paste instead, else "".</param>
    /// <returns>Whether the input is a usable tenant.</returns>
    public static bool TryNormalize(string? input, string authorityHost, out string tenant, out string error)
    {
        tenant = "";
        error = "";
        var value = (input ?? "").Trim();
        if (value.Length == 0)
        {
            error = "tenant must not be empty: paste the Directory (tenant) ID from the Overview page of the app registration in the Microsoft Entra admin center, or a verified domain such as contoso.onmicrosoft.com.";
            return false;
        }

        if (value.IndexOfAny(['<', '>', '{', '}', '[', ']']) >= 0 || value.Contains("tenant-id", StringComparison.OrdinalIgnoreCase)
            || value.Contains("tenant_id", StringComparison.OrdinalIgnoreCase) || value.Contains("tenantid", StringComparison.OrdinalIgnoreCase)
            || value.Equals("00000000-0000-0000-0000-000000000000", StringComparison.Ordinal))
        {
            error = $"tenant '{Shorten(value)}' still holds a placeholder from a setup guide: replace it with your Directory (tenant) ID (a GUID from the Overview page of the app registration in the Microsoft Entra admin center) or your domain such as contoso.onmicrosoft.com.";
            return false;
        }

        var segment = value;
        var withoutScheme = value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? value[8..]
            : value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? value[7..]
            : null;
        if (withoutScheme is not null || value.Contains('/'))
        {
            var rest = withoutScheme ?? value;
            var slash = rest.IndexOf('/');
            var host = slash < 0 ? rest : rest[..slash];
            var path = slash < 0 ? "" : rest[(slash + 1)..];
            var isAuthorityHost = string.Equals(host, authorityHost, StringComparison.OrdinalIgnoreCase);
            if (withoutScheme is not null && !isAuthorityHost)
            {
                error = $"tenant is a URL for '{Shorten(host)}', but authorityHost is '{authorityHost}': paste https://{authorityHost}/<your tenant ID>, or set authorityHost to the host of your cloud.";
                return false;
            }

            if (!isAuthorityHost)
            {
                // No scheme and not the authority host: a tenant id or domain with a trailing path such as "/v2.0".
                path = value;
            }

            path = path.Split('?', '#')[0].Trim('/');
            var firstSlash = path.IndexOf('/');
            segment = firstSlash < 0 ? path : path[..firstSlash];
            var suffix = firstSlash < 0 ? "" : path[(firstSlash + 1)..].TrimEnd('/');
            if (segment.Length == 0)
            {
                error = $"tenant '{Shorten(value)}' names no tenant: paste https://{authorityHost}/<your tenant ID>, the tenant ID alone, or your domain.";
                return false;
            }

            if (!AcceptedSuffixes.Contains(suffix, StringComparer.OrdinalIgnoreCase))
            {
                error = $"tenant URL '{Shorten(value)}' has an unexpected path '/{Shorten(suffix)}': paste https://{authorityHost}/<your tenant ID>, the tenant ID alone, or your domain.";
                return false;
            }
        }

        if (segment.Equals("common", StringComparison.OrdinalIgnoreCase) || segment.Equals("organizations", StringComparison.OrdinalIgnoreCase)
            || segment.Equals("consumers", StringComparison.OrdinalIgnoreCase) || segment.Equals(ConsumersTenantId, StringComparison.OrdinalIgnoreCase))
        {
            error = $"tenant '{segment}' is not a single directory: app-only access needs your own tenant. Paste the Directory (tenant) ID from the Overview page of the app registration, or your domain such as contoso.onmicrosoft.com.";
            return false;
        }

        if (Guid.TryParseExact(segment, "D", out var guid))
        {
            tenant = guid.ToString("D");
            return true;
        }

        if (segment.Contains('@'))
        {
            error = $"tenant '{Shorten(segment)}' is an e-mail address: paste the Directory (tenant) ID, or the domain only (the part after '@', e.g. contoso.onmicrosoft.com).";
            return false;
        }

        if (segment.Contains('.') && MailboxSettingsValidator.IsValidHost(segment) && !System.Net.IPAddress.TryParse(segment, out _))
        {
            tenant = segment.TrimEnd('.').ToLowerInvariant();
            return true;
        }

        error = $"tenant '{Shorten(segment)}' is neither a tenant ID (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47) nor a domain (such as contoso.onmicrosoft.com): copy the Directory (tenant) ID from the Overview page of the app registration.";
        return false;
    }

    /// <summary>Whether <paramref name="tenant"/> (normalised) is a tenant GUID, as opposed to a domain.</summary>
    public static bool IsTenantId(string tenant) => Guid.TryParseExact(tenant, "D", out _);

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
