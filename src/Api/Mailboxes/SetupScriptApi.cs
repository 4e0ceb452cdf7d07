using AlarmInbox.Api.Tenants;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Mailboxes;

/// <summary><c>GET …/mailboxes/{mailboxId}/setup-script</c>: the Entra portal steps and Exchange Online PowerShell commands for an Office365 or Graph mailbox, with its values filled in.</summary>
public static class SetupScriptApi
{
    /// <summary>Maps the setup script endpoint.</summary>
    public static RouteGroupBuilder MapSetupScriptApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenants/{tenantId}/mailboxes").WithTags("Mailboxes");
        group.MapGet("/{mailboxId}/setup-script", GetAsync)
            .WithSummary("Returns the portal steps and the Exchange Online PowerShell commands for an Office365 or Graph mailbox (?format=ps1 for the script as text/plain).");
        return group;
    }

    internal static async Task<Results<Ok<SetupScriptResponse>, ContentHttpResult, ProblemHttpResult>> GetAsync(
        string tenantId, string mailboxId, IGrainFactory grains, string? format = null)
    {
        if (format is not null and not "json" and not "ps1")
        {
            return TypedResults.Problem("format must be json (default) or ps1.", statusCode: StatusCodes.Status400BadRequest, title: "Bad request.",
                extensions: new Dictionary<string, object?> { ["field"] = "format" });
        }

        var owned = await grains.OwnsMailboxAsync(tenantId, mailboxId);
        var details = owned ? await grains.GetGrain<IMailboxGrain>(mailboxId).GetAsync() : null;
        if (details is null)
        {
            return TypedResults.Problem($"Tenant '{tenantId}' has no mailbox '{mailboxId}'.", statusCode: StatusCodes.Status404NotFound, title: "Mailbox not found.",
                extensions: new Dictionary<string, object?> { ["field"] = "mailboxId" });
        }

        if (details.Config.Office365 is not { } o365)
        {
            return TypedResults.Problem($"Mailbox '{mailboxId}' logs in with a password; the setup script is for authType Office365 or Graph.", statusCode: StatusCodes.Status409Conflict,
                title: "Not an Office365 mailbox.", extensions: new Dictionary<string, object?> { ["field"] = "authType" });
        }

        var script = details.Config.AuthType == MailboxAuthType.Graph ? GraphSetupScript.Create(details.Config, o365) : SetupScriptResponse.Create(details.Config, o365);
        return format == "ps1" ? TypedResults.Text(script.PowerShell, "text/plain; charset=utf-8") : TypedResults.Ok(script);
    }
}

/// <summary>Setup help for an Office365 or Graph mailbox.</summary>
/// <param name="Mailbox">The mailbox address.</param>
/// <param name="Tenant">The tenant.</param>
/// <param name="ClientId">The Application (client) ID.</param>
/// <param name="PortalSteps">The steps in the Microsoft Entra admin center and Exchange, numbered as in docs/office365.md (docs/graph.md for Graph mailboxes).</param>
/// <param name="PowerShell">The Exchange Online PowerShell commands, ready to copy.</param>
public sealed record SetupScriptResponse(string Mailbox, string Tenant, string ClientId, IReadOnlyList<string> PortalSteps, string PowerShell)
{
    internal static SetupScriptResponse Create(MailboxConfig config, Office365Config o365)
    {
        var mailbox = config.Username;
        var organization = Organization(mailbox, o365);
        string[] steps =
        [
            $"1. App registration: Microsoft Entra admin center → App registrations → New registration (accounts in this organizational directory only). Its Overview shows Application (client) ID {o365.ClientId} and Directory (tenant) ID (configured: {o365.Tenant}).",
            "2. Credential: Certificates & secrets → Client secrets → New client secret. Copy the Value column (not the Secret ID) at once; it is shown only once. Set it as office365.clientSecret. Note its expiry date.",
            "3. Permission: API permissions → Add a permission → APIs my organization uses → 'Office 365 Exchange Online' → Application permissions → IMAP.AccessAsApp → Add. Then 'Grant admin consent for …' (status must show a green check).",
            $"4. Exchange service principal: Enterprise applications → the app → Overview → copy its Object ID (not the one under App registrations); run the PowerShell below (New-ServicePrincipal -AppId {o365.ClientId} -ObjectId <that Object ID>).",
            $"5. Mailbox permission: the PowerShell below grants the app FullAccess on {mailbox} (Add-MailboxPermission).",
            $"6. Test: POST /api/tenants/{config.TenantId}/mailboxes/{config.Id}/test. Exchange may need up to 30 minutes to apply steps 4 and 5.",
        ];
        var ps = $$"""
            # AlarmInbox: Exchange Online setup for mailbox {{mailbox}} (AlarmInbox mailbox {{config.Id}}).
            # App registration: Application (client) ID {{o365.ClientId}}, tenant {{o365.Tenant}}.
            # Run in PowerShell 7 and sign in as an Exchange administrator of {{organization}}.

            Install-Module -Name ExchangeOnlineManagement -Scope CurrentUser
            Import-Module ExchangeOnlineManagement
            Connect-ExchangeOnline -Organization {{organization}}

            # The Object ID of the ENTERPRISE APPLICATION (Entra admin center > Enterprise applications > the app > Overview),
            # not the Object ID shown under App registrations. Using the wrong one is the most common setup mistake.
            $enterpriseAppObjectId = Read-Host "Object ID of the enterprise application for {{o365.ClientId}}"

            New-ServicePrincipal -AppId {{o365.ClientId}} -ObjectId $enterpriseAppObjectId -DisplayName "AlarmInbox {{mailbox}}"
            Get-ServicePrincipal -Identity {{o365.ClientId}} | Format-List DisplayName, AppId, ObjectId, Identity

            Add-MailboxPermission -Identity "{{mailbox}}" -User $enterpriseAppObjectId -AccessRights FullAccess
            Get-MailboxPermission -Identity "{{mailbox}}" | Format-Table User, AccessRights, IsInherited

            Disconnect-ExchangeOnline -Confirm:$false
            """;
        return new SetupScriptResponse(mailbox, o365.Tenant, o365.ClientId, steps, ps.ReplaceLineEndings("\n") + "\n");
    }

    /// <summary>The organization for Connect-ExchangeOnline: a verified domain (the tenant's, else the mailbox's), or a placeholder.</summary>
    internal static string Organization(string mailbox, Office365Config o365) =>
        !Office365Tenant.IsTenantId(o365.Tenant) ? o365.Tenant
        : mailbox.Contains('@', StringComparison.Ordinal) ? mailbox[(mailbox.IndexOf('@', StringComparison.Ordinal) + 1)..]
        : "<your-domain>.onmicrosoft.com";
}
