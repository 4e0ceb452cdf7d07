using AlarmInbox.Api.Mailboxes;
using AlarmInbox.Api.Tenants;
using System.Security.Claims;
using AlarmInbox.Api.Security;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>The guided flow for a new mailbox: password IMAP or the Office 365 steps, then Test (the API's connection test), then Save.</summary>
public sealed class NewMailboxModel : ConsolePage
{
    /// <summary>The form.</summary>
    [BindProperty]
    public MailboxForm Form { get; set; } = new();

    /// <summary>The last connection test, or null.</summary>
    public ConnectionTestResponse? Test { get; private set; }

    /// <summary>Shows the empty form (404 for another tenant's or an unknown tenant).</summary>
    public async Task<IActionResult> OnGetAsync(string tenantId)
    {
        var tenant = await Api.GetAsync<TenantResponse>(TenantPath(tenantId), HttpContext.RequestAborted);
        return tenant.Succeeded ? Page() : await FailedAsync(tenant.Problem!);
    }

    /// <summary>Runs the connection test with the form's values; nothing is stored.</summary>
    public async Task<IActionResult> OnPostTestAsync(string tenantId)
    {
        Kept.Restore(KeyId, Form);
        Kept.Keep(KeyId, Form);
        var result = await Api.SendJsonAsync<ConnectionTestResponse>(HttpMethod.Post, TenantPath(tenantId) + "/mailboxes/test", Form.ToRequest(create: true), HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            return await FormFailedAsync(result.Problem!, "Form.", MailboxFields.Map);
        }

        Test = result.Value;
        var unshown = AddFieldErrors(Test!.FieldErrors ?? new Dictionary<string, string[]>(), "Form.", MailboxFields.Map);
        if (unshown.Count > 0)
        {
            Error = string.Join(" ", unshown);
        }

        return Page();
    }

    /// <summary>Creates the mailbox and goes to its page.</summary>
    public async Task<IActionResult> OnPostSaveAsync(string tenantId)
    {
        Kept.Restore(KeyId, Form);
        Kept.Keep(KeyId, Form);
        var created = await Api.SendJsonAsync<MailboxResponse>(HttpMethod.Post, TenantPath(tenantId) + "/mailboxes", Form.ToRequest(create: true), HttpContext.RequestAborted);
        if (!created.Succeeded)
        {
            return await FormFailedAsync(created.Problem!, "Form.", MailboxFields.Map);
        }

        Notice = Text["NewMailbox.Saved"];
        return Redirect($"/t/{Uri.EscapeDataString(tenantId)}/mailboxes/{Uri.EscapeDataString(created.Value!.Id)}");
    }

    private KeptSecrets Kept => HttpContext.RequestServices.GetRequiredService<KeptSecrets>();

    private string KeyId => User.FindFirstValue(ApiClaims.KeyId) ?? "";

    private static string TenantPath(string tenantId) => "api/tenants/" + Uri.EscapeDataString(tenantId);
}
