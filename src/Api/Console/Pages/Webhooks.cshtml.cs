using AlarmInbox.Api.Alarms;
using AlarmInbox.Api.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>Webhooks of a tenant: list with the deliveries of the newest 100 alarms, create, enable/disable, delete (with confirmation).</summary>
public sealed class WebhooksModel : ConsolePage
{
    /// <summary>The tenant.</summary>
    public string TenantId { get; private set; } = "";

    /// <summary>The webhooks.</summary>
    public IReadOnlyList<WebhookResponse> Webhooks { get; private set; } = [];

    /// <summary>The newest alarms with their deliveries.</summary>
    public IReadOnlyList<AlarmResponse> Alarms { get; private set; } = [];

    /// <summary>The new webhook.</summary>
    [BindProperty]
    public WebhookForm Form { get; set; } = new();

    /// <summary>The deliveries of one webhook among <see cref="Alarms"/>, newest first.</summary>
    public IReadOnlyList<(AlarmResponse Alarm, DeliveryResponse Delivery)> DeliveriesOf(string webhookId) =>
        [.. Alarms.SelectMany(a => a.Deliveries.Where(d => d.WebhookId == webhookId).Select(d => (a, d))).OrderByDescending(x => x.d.CreatedAt)];

    /// <summary>Lists the webhooks.</summary>
    public async Task<IActionResult> OnGetAsync(string tenantId) => await LoadAsync(tenantId) ?? Page();

    /// <summary>Creates a webhook.</summary>
    public async Task<IActionResult> OnPostCreateAsync(string tenantId)
    {
        var request = new WebhookRequest { Name = Form.Name, Url = Form.Url, Secret = Form.Secret, Enabled = true };
        var created = await Api.SendJsonAsync<WebhookResponse>(HttpMethod.Post, Path(tenantId), request, HttpContext.RequestAborted);
        if (!created.Succeeded)
        {
            return await LoadAsync(tenantId) ?? await FormFailedAsync(created.Problem!, "Form.");
        }

        Notice = Text["Webhooks.Created"];
        return Redirect($"/t/{Uri.EscapeDataString(tenantId)}/webhooks");
    }

    /// <summary>Switches a webhook on or off (its secret stays).</summary>
    public async Task<IActionResult> OnPostToggleAsync(string tenantId, [FromForm] string webhookId)
    {
        var path = $"{Path(tenantId)}/{Uri.EscapeDataString(webhookId)}";
        var current = await Api.GetAsync<WebhookResponse>(path, HttpContext.RequestAborted);
        if (!current.Succeeded)
        {
            return await FailedAsync(current.Problem!);
        }

        var w = current.Value!;
        var updated = await Api.SendJsonAsync<WebhookResponse>(HttpMethod.Put, path, new WebhookRequest { Name = w.Name, Url = w.Url, Enabled = !w.Enabled }, HttpContext.RequestAborted);
        if (!updated.Succeeded)
        {
            return await FailedAsync(updated.Problem!);
        }

        return Redirect($"/t/{Uri.EscapeDataString(tenantId)}/webhooks");
    }

    /// <summary>Deletes a webhook when the confirmation box is ticked.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(string tenantId, [FromForm] string webhookId, [FromForm] bool confirm)
    {
        if (!confirm)
        {
            Error = Text["Webhooks.DeleteConfirmMissing"];
            return await LoadAsync(tenantId) ?? Page();
        }

        var deleted = await Api.SendJsonAsync<object>(HttpMethod.Delete, $"{Path(tenantId)}/{Uri.EscapeDataString(webhookId)}", null, HttpContext.RequestAborted);
        if (!deleted.Succeeded)
        {
            return await FailedAsync(deleted.Problem!);
        }

        Notice = Text["Webhooks.Deleted"];
        return Redirect($"/t/{Uri.EscapeDataString(tenantId)}/webhooks");
    }

    /// <summary>Sends a finished delivery again (<c>POST …/deliveries/{idempotencyKey}/redeliver</c>).</summary>
    public async Task<IActionResult> OnPostRedeliverAsync(string tenantId, [FromForm] string webhookId, [FromForm] string idempotencyKey)
    {
        var redelivered = await Api.SendJsonAsync<DeliveryResponse>(
            HttpMethod.Post,
            $"{Path(tenantId)}/{Uri.EscapeDataString(webhookId)}/deliveries/{Uri.EscapeDataString(idempotencyKey)}/redeliver",
            null,
            HttpContext.RequestAborted);
        if (!redelivered.Succeeded)
        {
            return await FailedAsync(redelivered.Problem!);
        }

        Notice = Text["Webhooks.Redelivered"];
        return Redirect($"/t/{Uri.EscapeDataString(tenantId)}/webhooks");
    }

    private async Task<IActionResult?> LoadAsync(string tenantId)
    {
        TenantId = tenantId;
        var webhooks = await Api.GetAsync<List<WebhookResponse>>(Path(tenantId), HttpContext.RequestAborted);
        if (!webhooks.Succeeded)
        {
            return await FailedAsync(webhooks.Problem!);
        }

        Webhooks = webhooks.Value!;
        var alarms = await Api.GetAsync<List<AlarmResponse>>($"api/tenants/{Uri.EscapeDataString(tenantId)}/alarms?limit=100", HttpContext.RequestAborted);
        Alarms = alarms.Value ?? [];
        return null;
    }

    private static string Path(string tenantId) => $"api/tenants/{Uri.EscapeDataString(tenantId)}/webhooks";

    /// <summary>The fields of a new webhook.</summary>
    public sealed class WebhookForm
    {
        /// <summary>A name for people.</summary>
        public string? Name { get; set; }

        /// <summary>The receiver's URL.</summary>
        public string? Url { get; set; }

        /// <summary>Write-only: the signing secret.</summary>
        public string? Secret { get; set; }
    }
}
