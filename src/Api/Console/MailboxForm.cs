using AlarmInbox.Api.Mailboxes;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Api.Console;

/// <summary>The fields of the console's mailbox form (add and edit); becomes the API's <see cref="MailboxRequest"/>.</summary>
public sealed class MailboxForm
{
    /// <summary>Password IMAP, Office 365 (IMAP with OAuth2) or Microsoft Graph.</summary>
    public MailboxAuthType AuthType { get; set; } = MailboxAuthType.Password;

    /// <summary>A name for people.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The IMAP host (ignored for Office 365, which uses outlook.office365.com).</summary>
    public string? Host { get; set; }

    /// <summary>The TCP port; 993 by default.</summary>
    public int? Port { get; set; } = 993;

    /// <summary>Transport security; SSL on connect by default.</summary>
    public MailboxSecurity Security { get; set; } = MailboxSecurity.SslOnConnect;

    /// <summary>The login name (the mailbox's address for Office 365).</summary>
    public string? Username { get; set; }

    /// <summary>Write-only: the password; empty on edit keeps the stored one.</summary>
    public string? Password { get; set; }

    /// <summary>The folder to watch.</summary>
    public string? Folder { get; set; } = "INBOX";

    /// <summary>Seconds between polls (when the server has no IDLE).</summary>
    public int? PollIntervalSeconds { get; set; } = MailboxLimits.DefaultPollIntervalSeconds;

    /// <summary>Office 365: Directory (tenant) ID or a verified domain.</summary>
    public string? O365Tenant { get; set; }

    /// <summary>Office 365: Application (client) ID.</summary>
    public string? O365ClientId { get; set; }

    /// <summary>Write-only, Office 365: the client secret's Value; empty on edit keeps the stored one.</summary>
    public string? O365ClientSecret { get; set; }

    /// <summary>
    /// Office 365: the day the client secret expires, as Entra ID shows it under Certificates &amp; secrets (optional;
    /// sent as 00:00 UTC of that day, so the warning comes rather early than late). Empty on edit with the stored secret
    /// kept keeps the stored date.
    /// </summary>
    public DateOnly? O365ClientSecretExpiresOn { get; set; }

    /// <summary>Office 365: Object ID of the Enterprise application (only for the PowerShell block; not sent to the API).</summary>
    public string? O365ObjectId { get; set; }

    /// <summary>
    /// The secrets of the last connection test, encrypted (<see cref="Console.KeptSecrets"/>): a hidden field of the new-mailbox
    /// form, so that the save needs them typed only once. Never holds a secret in clear.
    /// </summary>
    public string? KeptSecrets { get; set; }

    /// <summary>Whether <see cref="KeptSecrets"/> holds the password (the field may be left empty); set by the page, not bound.</summary>
    [Microsoft.AspNetCore.Mvc.ModelBinding.BindNever]
    public bool PasswordKept { get; set; }

    /// <summary>Whether <see cref="KeptSecrets"/> holds the client secret's value; set by the page, not bound.</summary>
    [Microsoft.AspNetCore.Mvc.ModelBinding.BindNever]
    public bool ClientSecretKept { get; set; }

    /// <summary>The API request; <paramref name="create"/> false leaves empty secrets out so the stored ones stay.</summary>
    public MailboxRequest ToRequest(bool create)
    {
        // Office 365 (IMAP) and Graph use Entra's app registration; their host, port and security are Microsoft's.
        var entra = AuthType is MailboxAuthType.Office365 or MailboxAuthType.Graph;
        return new MailboxRequest
        {
            AuthType = AuthType,
            DisplayName = DisplayName,
            Host = AuthType switch { MailboxAuthType.Office365 => Office365Request.DefaultHost, MailboxAuthType.Graph => null, _ => Host },
            Port = AuthType switch { MailboxAuthType.Office365 => 993, MailboxAuthType.Graph => null, _ => Port },
            Security = entra ? null : Security,
            Username = Username,
            Password = entra || (!create && string.IsNullOrEmpty(Password)) ? null : Password ?? "",
            Folder = Folder,
            PollIntervalSeconds = PollIntervalSeconds,
            Office365 = entra
                ? new Office365Request
                {
                    Tenant = O365Tenant,
                    ClientId = O365ClientId,
                    ClientSecret = string.IsNullOrEmpty(O365ClientSecret) && !create ? null : O365ClientSecret,
                    ClientSecretExpiresAt = O365ClientSecretExpiresOn is { } day ? new DateTimeOffset(day, TimeOnly.MinValue, TimeSpan.Zero) : null,
                }
                : null,
        };
    }

    /// <summary>The form of a stored mailbox (secrets empty).</summary>
    public static MailboxForm From(MailboxResponse mailbox) => new()
    {
        AuthType = mailbox.AuthType,
        DisplayName = mailbox.DisplayName,
        Host = mailbox.Host,
        Port = mailbox.Port,
        Security = mailbox.Security,
        Username = mailbox.Username,
        Folder = mailbox.Folder,
        PollIntervalSeconds = mailbox.PollIntervalSeconds,
        O365Tenant = mailbox.Office365?.Tenant,
        O365ClientId = mailbox.Office365?.ClientId,
        O365ClientSecretExpiresOn = mailbox.Office365?.ClientSecretExpiresAt is { } expires ? DateOnly.FromDateTime(expires.UtcDateTime) : null,
    };
}
