using AlarmInbox.Api.Alarms;
using AlarmInbox.Api.Mailboxes;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>Edit a mailbox (secrets write-only: empty keeps the stored one), test its stored settings, and set its alarm-setting overrides.</summary>
public sealed class EditMailboxModel : ConsolePage
{
    /// <summary>The tenant.</summary>
    public string TenantId { get; private set; } = "";

    /// <summary>The mailbox.</summary>
    public string MailboxId { get; private set; } = "";

    /// <summary>The mailbox form.</summary>
    [BindProperty]
    public MailboxForm Form { get; set; } = new();

    /// <summary>The override form.</summary>
    [BindProperty]
    public OverrideForm Overrides { get; set; } = new();

    /// <summary>The mailbox's override and effective settings.</summary>
    public MailboxEvaluationSettingsResponse? Settings { get; private set; }

    /// <summary>The last connection test, or null.</summary>
    public ConnectionTestResponse? Test { get; private set; }

    /// <summary>Loads both forms.</summary>
    public async Task<IActionResult> OnGetAsync(string tenantId, string mailboxId)
    {
        var loaded = await LoadAsync(tenantId, mailboxId, mailboxForm: true, overrideForm: true);
        return loaded ?? Page();
    }

    /// <summary>Saves the mailbox (PUT).</summary>
    public async Task<IActionResult> OnPostSaveAsync(string tenantId, string mailboxId)
    {
        var saved = await Api.SendJsonAsync<MailboxResponse>(HttpMethod.Put, Path(tenantId, mailboxId), Form.ToRequest(create: false), HttpContext.RequestAborted);
        if (!saved.Succeeded)
        {
            return await LoadAsync(tenantId, mailboxId, mailboxForm: false, overrideForm: true) ?? await FormFailedAsync(saved.Problem!, "Form.", MailboxFields.Map);
        }

        Notice = Text["NewMailbox.Saved"];
        return Redirect($"/t/{Uri.EscapeDataString(tenantId)}/mailboxes/{Uri.EscapeDataString(mailboxId)}");
    }

    /// <summary>Runs the connection test with the stored settings.</summary>
    public async Task<IActionResult> OnPostTestAsync(string tenantId, string mailboxId)
    {
        var result = await Api.SendJsonAsync<ConnectionTestResponse>(HttpMethod.Post, Path(tenantId, mailboxId) + "/test", null, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            return await FailedAsync(result.Problem!);
        }

        Test = result.Value;
        return await LoadAsync(tenantId, mailboxId, mailboxForm: true, overrideForm: true) ?? Page();
    }

    /// <summary>Sets the override (PUT …/alarm-settings); rules, labels and the keyword source of an existing override stay.</summary>
    public async Task<IActionResult> OnPostSettingsAsync(string tenantId, string mailboxId)
    {
        var current = await Api.GetAsync<MailboxEvaluationSettingsResponse>(Path(tenantId, mailboxId) + "/alarm-settings", HttpContext.RequestAborted);
        if (!current.Succeeded)
        {
            return await FailedAsync(current.Problem!);
        }

        var saved = await Api.SendJsonAsync<MailboxEvaluationSettingsResponse>(
            HttpMethod.Put, Path(tenantId, mailboxId) + "/alarm-settings", Overrides.ToRequest(current.Value!.Override), HttpContext.RequestAborted);
        if (!saved.Succeeded)
        {
            return await LoadAsync(tenantId, mailboxId, mailboxForm: true, overrideForm: false) ?? await FormFailedAsync(saved.Problem!, "Overrides.");
        }

        Notice = Text["Overrides.Saved"];
        return Redirect(Request.Path);
    }

    /// <summary>Removes the override (DELETE …/alarm-settings).</summary>
    public async Task<IActionResult> OnPostResetSettingsAsync(string tenantId, string mailboxId)
    {
        var reset = await Api.SendJsonAsync<object>(HttpMethod.Delete, Path(tenantId, mailboxId) + "/alarm-settings", null, HttpContext.RequestAborted);
        if (!reset.Succeeded)
        {
            return await FailedAsync(reset.Problem!);
        }

        Notice = Text["Overrides.Removed"];
        return Redirect(Request.Path);
    }

    // Null when loaded; else the answer to show (404, sign-in).
    private async Task<IActionResult?> LoadAsync(string tenantId, string mailboxId, bool mailboxForm, bool overrideForm)
    {
        TenantId = tenantId;
        MailboxId = mailboxId;
        var mailbox = await Api.GetAsync<MailboxResponse>(Path(tenantId, mailboxId), HttpContext.RequestAborted);
        if (!mailbox.Succeeded)
        {
            return await FailedAsync(mailbox.Problem!);
        }

        var settings = await Api.GetAsync<MailboxEvaluationSettingsResponse>(Path(tenantId, mailboxId) + "/alarm-settings", HttpContext.RequestAborted);
        if (!settings.Succeeded)
        {
            return await FailedAsync(settings.Problem!);
        }

        Settings = settings.Value;
        if (mailboxForm)
        {
            Form = MailboxForm.From(mailbox.Value!);
        }

        if (overrideForm)
        {
            Overrides = OverrideForm.From(Settings!.Override);
        }

        return null;
    }

    private static string Path(string tenantId, string mailboxId) => $"api/tenants/{Uri.EscapeDataString(tenantId)}/mailboxes/{Uri.EscapeDataString(mailboxId)}";
}
