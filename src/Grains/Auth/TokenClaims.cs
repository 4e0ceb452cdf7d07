using System.Text;
using System.Text.Json;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Auth;

/// <summary>
/// Reads the claims of an Entra ID access token (a JWT, RFC 7519) without validating its signature — only to explain
/// problems before the IMAP server refuses the token. The IMAP server validates it.
/// </summary>
/// <param name="Audience">The <c>aud</c> claim.</param>
/// <param name="Roles">The <c>roles</c> claim (application permissions granted with admin consent).</param>
/// <param name="TenantId">The <c>tid</c> claim.</param>
/// <param name="AppId">The <c>appid</c> (v1 tokens) or <c>azp</c> (v2) claim.</param>
public sealed record TokenClaims(string? Audience, IReadOnlyList<string> Roles, string? TenantId, string? AppId)
{
    /// <summary>The role Exchange Online requires for app-only IMAP.</summary>
    public const string ImapRole = "IMAP.AccessAsApp";

    /// <summary>The Exchange Online audiences: its resource URI (with or without a trailing slash) and its first-party application id.</summary>
    private static readonly string[] ExchangeAudiences = ["https://outlook.office365.com", "https://outlook.office365.com/", "00000002-0000-0ff1-ce00-000000000000", "https://ps.outlook.com", "https://ps.outlook.com/"];

    /// <summary>The Microsoft Graph application permission that reads mail; in a token only when it was granted tenant-wide in Entra ID.</summary>
    public const string GraphMailReadRole = "Mail.Read";

    /// <summary>Microsoft Graph's audiences: its resource URI (public and national clouds) and its first-party application id.</summary>
    private static readonly string[] GraphAudiences =
    [
        "https://graph.microsoft.com", "https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000",
        "https://graph.microsoft.us", "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn",
    ];

    /// <summary>Whether the token carries a mail permission granted in Entra ID, which reaches every mailbox of the tenant.</summary>
    public bool HasTenantWideMailRole => Roles.Any(r => r is GraphMailReadRole or "Mail.ReadWrite" or "Mail.ReadBasic.All");

    /// <summary>Checks the token against what Microsoft Graph needs for <paramref name="app"/>: audience and tenant. Mailbox access is not in the token when it comes from Exchange RBAC for applications.</summary>
    /// <returns><see langword="null"/> when it looks right, else the code and a sentence for the admin.</returns>
    public (string Code, string Message)? CheckGraph(Office365Settings app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (Audience is null || !GraphAudiences.Contains(Audience, StringComparer.OrdinalIgnoreCase))
        {
            return (MailboxErrorCodes.GraphTokenWrongAudience,
                $"The token is for '{Audience ?? "(no aud claim)"}', not for Microsoft Graph (https://graph.microsoft.com); it was requested with scope '{app.Scope}'.");
        }

        return WrongTenant(app);
    }

    /// <summary>Reads the payload of <paramref name="jwt"/>; <see langword="null"/> when it is not a JWT.</summary>
    public static TokenClaims? TryRead(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var padded = parts[1].Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(padded)));
            var root = json.RootElement;
            var audience = root.TryGetProperty("aud", out var aud)
                ? aud.ValueKind == JsonValueKind.Array ? string.Join(" ", aud.EnumerateArray().Select(a => a.GetString())) : aud.GetString()
                : null;
            var roles = root.TryGetProperty("roles", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                : [];
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return new TokenClaims(audience, roles, Text("tid"), Text("appid") ?? Text("azp"));
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Checks the token against what Exchange Online needs for <paramref name="app"/>.</summary>
    /// <returns><see langword="null"/> when it looks right, else the code and a sentence for the admin.</returns>
    public (string Code, string Message)? Check(Office365Settings app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (Audience is null || !ExchangeAudiences.Contains(Audience, StringComparer.OrdinalIgnoreCase))
        {
            return (MailboxErrorCodes.Office365TokenWrongAudience,
                $"The token is for '{Audience ?? "(no aud claim)"}', not for Exchange Online (https://outlook.office365.com); it was requested with scope '{app.Scope}'.");
        }

        if (!Roles.Contains(ImapRole, StringComparer.Ordinal))
        {
            var has = Roles.Count == 0 ? "no application permission at all (roles claim missing)" : "roles " + string.Join(", ", Roles);
            return (MailboxErrorCodes.Office365PermissionMissing,
                $"The token of app {app.ClientId} carries {has}, not {ImapRole}: the application permission is missing or admin consent was not granted.");
        }

        return WrongTenant(app);
    }

    private (string Code, string Message)? WrongTenant(Office365Settings app) =>
        Office365Tenant.IsTenantId(app.Tenant) && TenantId is not null && !string.Equals(TenantId, app.Tenant, StringComparison.OrdinalIgnoreCase)
            ? (MailboxErrorCodes.Office365TokenWrongTenant, $"The token was issued by tenant {TenantId}, but the mailbox is configured for tenant {app.Tenant}.")
            : null;
}
