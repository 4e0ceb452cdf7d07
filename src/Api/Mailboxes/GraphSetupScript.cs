using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Api.Mailboxes;

/// <summary>
/// The least-privilege setup of a Graph mailbox: no tenant-wide Mail.Read in Entra ID, but Exchange Online's role-based
/// access control for applications (service principal, a management scope with exactly this mailbox, the role
/// "Application Mail.Read" assigned on that scope), checked with Test-ServicePrincipalAuthorization. Steps as in docs/graph.md.
/// </summary>
public static class GraphSetupScript
{
    /// <summary>Builds the steps and the script for <paramref name="config"/>.</summary>
    public static SetupScriptResponse Create(MailboxConfig config, Office365Config o365)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(o365);
        var mailbox = config.Username;
        var organization = SetupScriptResponse.Organization(mailbox, o365);
        var byObjectId = Guid.TryParse(mailbox, out _);
        var scopeName = $"AlarmInbox {config.Id}";
        string[] steps =
        [
            $"1. App registration: Microsoft Entra admin center → App registrations → New registration (accounts in this organizational directory only). Its Overview shows Application (client) ID {o365.ClientId} and Directory (tenant) ID (configured: {o365.Tenant}).",
            "2. Credential: Certificates & secrets → Client secrets → New client secret. Copy the Value column (not the Secret ID) at once; it is shown only once. Set it as office365.clientSecret. Note its expiry date.",
            "3. Entra API permissions: add NO Microsoft Graph mail permission with admin consent. Mail.Read granted in Entra ID reaches every mailbox of the tenant, and Exchange adds such a grant to the scoped one. If an earlier setup granted Mail.Read, remove it and revoke its admin consent.",
            $"4. Exchange role assignment (PowerShell below): New-ServicePrincipal for the app, New-ManagementScope with exactly {mailbox}, New-ManagementRoleAssignment -Role \"Application Mail.Read\" -App {o365.ClientId} -CustomResourceScope \"{scopeName}\".",
            $"5. Check: Test-ServicePrincipalAuthorization -Identity {o365.ClientId} -Resource {mailbox} must show Application Mail.Read with InScope True; then POST /api/tenants/{config.TenantId}/mailboxes/{config.Id}/test. Exchange applies new assignments with a delay (minutes, sometimes longer).",
        ];
        var findMailbox = byObjectId
            ? $"Get-Mailbox -Filter \"ExternalDirectoryObjectId -eq '{mailbox}'\""
            : $"Get-Mailbox -Identity \"{mailbox}\"";
        var ps = $$"""
            # AlarmInbox: least-privilege Exchange Online setup for Graph mailbox {{mailbox}} (AlarmInbox mailbox {{config.Id}}).
            # App registration: Application (client) ID {{o365.ClientId}}, tenant {{o365.Tenant}}.
            # Role-based access control for applications: the app may read this mailbox and no other.
            # Run in PowerShell 7 and sign in as an Exchange administrator (Organization Management) of {{organization}}.

            Install-Module -Name ExchangeOnlineManagement -Scope CurrentUser
            Import-Module ExchangeOnlineManagement
            Connect-ExchangeOnline -Organization {{organization}}

            # The Object ID of the ENTERPRISE APPLICATION (Entra admin center > Enterprise applications > the app > Overview),
            # not the Object ID shown under App registrations.
            $enterpriseAppObjectId = Read-Host "Object ID of the enterprise application for {{o365.ClientId}}"
            New-ServicePrincipal -AppId {{o365.ClientId}} -ObjectId $enterpriseAppObjectId -DisplayName "AlarmInbox {{config.Id}}"

            # A management scope that contains exactly the alarm mailbox.
            $mailbox = {{findMailbox}}
            New-ManagementScope -Name "{{scopeName}}" -RecipientRestrictionFilter "PrimarySmtpAddress -eq '$($mailbox.PrimarySmtpAddress)'"

            # The read permission, only on that scope.
            New-ManagementRoleAssignment -Name "{{scopeName}} Mail.Read" -Role "Application Mail.Read" -App {{o365.ClientId}} -CustomResourceScope "{{scopeName}}"

            # InScope must be True for this mailbox (and False for any other).
            Test-ServicePrincipalAuthorization -Identity {{o365.ClientId}} -Resource $mailbox.PrimarySmtpAddress | Format-Table

            Disconnect-ExchangeOnline -Confirm:$false
            """;
        return new SetupScriptResponse(mailbox, o365.Tenant, o365.ClientId, steps, ps.ReplaceLineEndings("\n") + "\n");
    }
}
