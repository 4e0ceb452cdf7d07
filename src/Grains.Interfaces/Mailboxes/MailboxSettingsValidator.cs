using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>Checks <see cref="MailboxSettings"/> before anything is stored; called once per command, by the mailbox grain (<see cref="IMailboxGrain"/>).</summary>
public static partial class MailboxSettingsValidator
{
    /// <summary>
    /// Validates settings. Field names in the result are the JSON names of the API (camelCase).
    /// </summary>
    /// <param name="settings">The settings to check.</param>
    /// <param name="requirePassword"><see langword="true"/> when creating a mailbox or changing its <see cref="MailboxSettings.AuthType"/>: the credential of the auth type (password, or office365 client secret or certificate) must be given.</param>
    /// <returns>An empty dictionary when valid, otherwise field name → messages.</returns>
    public static Dictionary<string, string[]> Validate(MailboxSettings settings, bool requirePassword)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        if (string.IsNullOrWhiteSpace(settings.DisplayName))
        {
            errors["displayName"] = ["displayName must not be empty."];
        }
        else if (settings.DisplayName.Length > MailboxLimits.MaxDisplayNameLength)
        {
            errors["displayName"] = [$"displayName must be at most {MailboxLimits.MaxDisplayNameLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(settings.Host))
        {
            errors["host"] = ["host must not be empty: give the IMAP server's name, e.g. imap.example.org or outlook.office365.com."];
        }
        else if (!IsValidHost(settings.Host))
        {
            errors["host"] = [$"host '{Truncate(settings.Host)}' is not a valid host name or IP address (no scheme, port or path: e.g. imap.example.org)."];
        }

        if (settings.Port is < 1 or > 65535)
        {
            errors["port"] = [$"port must be between 1 and 65535 (993 for SslOnConnect, 143 for StartTls); got {settings.Port.ToString(CultureInfo.InvariantCulture)}."];
        }

        if (!Enum.IsDefined(settings.Security))
        {
            errors["security"] = ["security must be one of SslOnConnect, StartTls, None."];
        }

        if (string.IsNullOrWhiteSpace(settings.Username))
        {
            errors["username"] = ["username must not be empty."];
        }
        else if (settings.Username.Length > MailboxLimits.MaxUsernameLength || settings.Username.Any(char.IsControl))
        {
            errors["username"] = [$"username must be at most {MailboxLimits.MaxUsernameLength} characters, without control characters."];
        }

        if (settings.AuthType is MailboxAuthType.Office365 or MailboxAuthType.Graph)
        {
            ValidateOffice365(settings, requirePassword, errors);
        }
        else if (!Enum.IsDefined(settings.AuthType))
        {
            errors["authType"] = ["authType must be Password, Office365 or Graph."];
        }
        else if (settings.Office365 is not null)
        {
            errors["office365"] = ["office365 is only used with authType Office365 or Graph; remove it, or set authType."];
        }
        else if (settings.Password is null)
        {
            if (requirePassword)
            {
                errors["password"] = ["password is required."];
            }
        }
        else if (settings.Password.Length == 0 || settings.Password.Length > MailboxLimits.MaxPasswordLength)
        {
            errors["password"] = [$"password must be 1 to {MailboxLimits.MaxPasswordLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(settings.Folder))
        {
            errors["folder"] = ["folder must not be empty (INBOX is the usual one)."];
        }
        else if (settings.Folder.Length > MailboxLimits.MaxFolderLength || settings.Folder.Any(char.IsControl))
        {
            errors["folder"] = [$"folder must be at most {MailboxLimits.MaxFolderLength} characters, without control characters."];
        }

        if (settings.PollIntervalSeconds < MailboxLimits.MinPollIntervalSeconds || settings.PollIntervalSeconds > MailboxLimits.MaxPollIntervalSeconds)
        {
            errors["pollIntervalSeconds"] =
                [$"pollIntervalSeconds must be between {MailboxLimits.MinPollIntervalSeconds} and {MailboxLimits.MaxPollIntervalSeconds}; got {settings.PollIntervalSeconds.ToString(CultureInfo.InvariantCulture)}."];
        }

        if (settings.PinnedCertificateSha256 is { } pin && NormalizePin(pin) is null)
        {
            errors["pinnedCertificateSha256"] =
                ["pinnedCertificateSha256 must be the SHA-256 fingerprint of the server's certificate: 64 hexadecimal digits, colons allowed (the tls_failed error of this server shows the one it presents)."];
        }

        if (settings.PinnedCertificateSha256 is not null && settings.Security == MailboxSecurity.None)
        {
            errors["pinnedCertificateSha256"] = ["pinnedCertificateSha256 needs security SslOnConnect or StartTls: without TLS there is no certificate to pin."];
        }

        return errors;
    }

    /// <summary>
    /// A certificate pin in canonical form: 64 upper-case hex digits of the SHA-256 of the DER certificate, or
    /// <see langword="null"/> when <paramref name="pin"/> is not one (colons and spaces are ignored).
    /// </summary>
    public static string? NormalizePin(string pin)
    {
        var hex = new string(pin.Where(c => c is not ':' and not ' ').ToArray()).ToUpperInvariant();
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }

    /// <summary>Returns <paramref name="settings"/> with the Office 365 tenant in its normalised form (see <see cref="Office365Tenant"/>) when it is valid; otherwise unchanged.</summary>
    public static MailboxSettings Normalize(MailboxSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.PinnedCertificateSha256 is { } pin && NormalizePin(pin) is { } canonical)
        {
            settings = settings with { PinnedCertificateSha256 = canonical };
        }

        if (settings.Office365 is { } o365 && Office365Tenant.TryNormalize(o365.Tenant, o365.AuthorityHost, out var tenant, out _))
        {
            return settings with { Office365 = o365 with { Tenant = tenant, ClientId = o365.ClientId.Trim().ToLowerInvariant() } };
        }

        return settings;
    }

    /// <summary>Whether <paramref name="secret"/> has the shape of a client secret's ID (a GUID) rather than its value.</summary>
    public static bool LooksLikeSecretId(string secret) => Guid.TryParse(secret.Trim(), out _);

    private static void ValidateOffice365(MailboxSettings settings, bool requireCredential, Dictionary<string, string[]> errors)
    {
        var graph = settings.AuthType == MailboxAuthType.Graph;
        var kind = graph ? "Graph" : "Office365";
        if (settings.Password is not null)
        {
            errors["password"] = [$"password is not used by {kind} mailboxes: remove it; the app's client secret goes in office365.clientSecret."];
        }

        if (errors.ContainsKey("username"))
        {
            // Already reported.
        }
        else if (graph && !settings.Username.Contains('@', StringComparison.Ordinal) && !Guid.TryParseExact(settings.Username, "D", out _))
        {
            errors["username"] = ["username must be the mailbox's e-mail address (e.g. alarm@ff-musterdorf.de) or its Entra object id (a GUID) for Graph mailboxes."];
        }
        else if (!graph && !settings.Username.Contains('@', StringComparison.Ordinal))
        {
            errors["username"] = ["username must be the mailbox's e-mail address (e.g. alarm@ff-musterdorf.de) for Office365 mailboxes."];
        }

        if (graph && settings.Security != MailboxSecurity.SslOnConnect)
        {
            errors["security"] = ["security must be SslOnConnect for Graph mailboxes: Microsoft Graph is reached over HTTPS only."];
        }

        if (settings.Office365 is not { } o365)
        {
            errors["office365"] = [$"office365 is required when authType is {kind}: give tenant, clientId and clientSecret (or a certificate)."];
            return;
        }

        if (string.IsNullOrWhiteSpace(o365.AuthorityHost) || !IsValidHostAndPort(o365.AuthorityHost))
        {
            errors["office365.authorityHost"] = [$"office365.authorityHost must be a host name such as {Office365Settings.DefaultAuthorityHost}, optionally with a port (login.example.org:8443); no https://, no path."];
        }
        else if (!Office365Tenant.TryNormalize(o365.Tenant, o365.AuthorityHost, out _, out var tenantError))
        {
            errors["office365.tenant"] = ["office365." + tenantError];
        }

        var clientId = o365.ClientId?.Trim() ?? "";
        if (!Guid.TryParseExact(clientId, "D", out var clientGuid))
        {
            errors["office365.clientId"] = [clientId.Contains('@', StringComparison.Ordinal)
                ? $"office365.clientId '{Truncate(clientId)}' is an e-mail address: paste the Application (client) ID, a GUID from the Overview page of the app registration."
                : $"office365.clientId '{Truncate(clientId)}' is not a GUID: paste the Application (client) ID from the Overview page of the app registration (not the app's name or its Object ID)."];
        }
        else if (Guid.TryParse(o365.Tenant?.Trim(), out var tenantGuid) && tenantGuid == clientGuid)
        {
            errors["office365.clientId"] = ["office365.clientId equals the tenant ID: paste the Application (client) ID, not the Directory (tenant) ID."];
        }

        var credentials = (o365.ClientSecret is not null ? 1 : 0) + (o365.CertificatePfxBase64 is not null ? 1 : 0) + (o365.CertificatePem is not null ? 1 : 0);
        if (credentials > 1)
        {
            errors["office365.clientSecret"] = ["Give exactly one credential: office365.clientSecret, office365.certificatePfxBase64 or office365.certificatePem."];
        }
        else if (credentials == 0 && requireCredential)
        {
            errors["office365.clientSecret"] = ["office365.clientSecret is required (or a certificate in office365.certificatePfxBase64 or office365.certificatePem): the Value of a client secret of the app registration."];
        }
        else if (o365.ClientSecret is { } secret)
        {
            if (secret.Trim().Length == 0 || secret.Length > MailboxLimits.MaxPasswordLength)
            {
                errors["office365.clientSecret"] = [$"office365.clientSecret must be 1 to {MailboxLimits.MaxPasswordLength} characters."];
            }
            else if (LooksLikeSecretId(secret))
            {
                errors["office365.clientSecret"] = ["office365.clientSecret is a GUID, which is the secret's ID: paste the secret's Value instead (shown once after 'New client secret' under Certificates & secrets; create a new secret if it is hidden now)."];
            }
        }
        else if (o365.CertificatePfxBase64 is not null || o365.CertificatePem is not null)
        {
            var field = o365.CertificatePem is not null ? "office365.certificatePem" : "office365.certificatePfxBase64";
            var certificateError = ClientCertificates.Check(o365);
            if (certificateError is not null)
            {
                errors[field] = [certificateError];
            }
        }

        if (o365.CertificatePassword is not null && o365.CertificatePfxBase64 is null)
        {
            errors["office365.certificatePassword"] = ["office365.certificatePassword is only used with office365.certificatePfxBase64."];
        }

        var scope = o365.Scope?.Trim() ?? "";
        if (graph)
        {
            ValidateGraphScope(scope, errors);
        }
        else if (scope.Contains("graph.microsoft.com", StringComparison.OrdinalIgnoreCase))
        {
            errors["office365.scope"] = [$"office365.scope '{Truncate(scope)}' is for Microsoft Graph, whose tokens IMAP refuses: use {Office365Settings.DefaultScope}."];
        }
        else if (!Uri.TryCreate(scope, UriKind.Absolute, out var scopeUri) || scopeUri.Scheme != Uri.UriSchemeHttps || !scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            errors["office365.scope"] = [$"office365.scope '{Truncate(scope)}' is not an app-only scope: use {Office365Settings.DefaultScope} (a delegated scope such as IMAP.AccessAsUser.All or IMAP.AccessAsApp does not work with the client credentials grant)."];
        }
    }

    private static void ValidateGraphScope(string scope, Dictionary<string, string[]> errors)
    {
        if (scope.Contains("outlook.office365.com", StringComparison.OrdinalIgnoreCase) || scope.Contains("ps.outlook.com", StringComparison.OrdinalIgnoreCase))
        {
            errors["office365.scope"] = [$"office365.scope '{Truncate(scope)}' is Exchange Online's IMAP resource, whose tokens Microsoft Graph refuses: use {Office365Settings.GraphScope} for authType Graph."];
        }
        else if (!Uri.TryCreate(scope, UriKind.Absolute, out var scopeUri) || scopeUri.Scheme != Uri.UriSchemeHttps || !scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            errors["office365.scope"] = [$"office365.scope '{Truncate(scope)}' is not an app-only scope: use {Office365Settings.GraphScope} (a permission name such as Mail.Read is granted to the app, not requested as a scope)."];
        }
    }

    /// <summary>Whether <paramref name="host"/> is a DNS name (RFC 1123 labels) or an IPv4/IPv6 address.</summary>
    public static bool IsValidHost(string host)
    {
        if (host.Length > MailboxLimits.MaxHostLength)
        {
            return false;
        }

        if (IPAddress.TryParse(host, out _) && (host.Contains(':') || host.Count(c => c == '.') == 3))
        {
            return true;
        }

        return HostNameRegex().IsMatch(host);
    }

    /// <summary>Whether <paramref name="value"/> is a host name or IPv4 address with an optional <c>:port</c> (1–65535), or a bracketed IPv6 address with one.</summary>
    public static bool IsValidHostAndPort(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var colon = value.LastIndexOf(':');
        if (colon < 0 || (value.StartsWith('[') is false && value.IndexOf(':') != colon))
        {
            // No port, or an unbracketed IPv6 address.
            return IsValidHost(value);
        }

        var port = value[(colon + 1)..];
        var host = value[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535 && IsValidHost(host);
    }

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex HostNameRegex();
}
