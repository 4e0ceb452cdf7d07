using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>Checks <see cref="MailboxSettings"/> before anything is stored; the API and the grain use the same rules.</summary>
public static partial class MailboxSettingsValidator
{
    /// <summary>
    /// Validates settings. Field names in the result are the JSON names of the API (camelCase).
    /// </summary>
    /// <param name="settings">The settings to check.</param>
    /// <param name="requirePassword"><see langword="true"/> when creating a mailbox (a password must be given).</param>
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

        if (settings.Password is null)
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

        return errors;
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

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex HostNameRegex();
}
