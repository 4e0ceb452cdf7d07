using System.Globalization;
using AlarmInbox.Api.Alarms;
using AlarmInbox.Api.Inbound;
using AlarmInbox.Api.Mailboxes;
using AlarmInbox.Api.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>A tenant's overview: mailboxes and inbound addresses with their health, alarms of the last 24 hours, webhook backlog.</summary>
public sealed class TenantModel : ConsolePage
{
    /// <summary>The tenant.</summary>
    public TenantResponse? Tenant { get; private set; }

    /// <summary>Its mailboxes.</summary>
    public IReadOnlyList<MailboxResponse> Mailboxes { get; private set; } = [];

    /// <summary>Its inbound addresses.</summary>
    public IReadOnlyList<InboundAddressResponse> Inbound { get; private set; } = [];

    /// <summary>Alarms evaluated in the last 24 hours, newest first (at most 500).</summary>
    public IReadOnlyList<AlarmResponse> Alarms24h { get; private set; } = [];

    /// <summary>Webhook deliveries of those alarms still pending.</summary>
    public int Backlog { get; private set; }

    /// <summary>Loads the overview.</summary>
    public async Task<IActionResult> OnGetAsync(string tenantId)
    {
        var path = "api/tenants/" + Uri.EscapeDataString(tenantId);
        var tenant = await Api.GetAsync<TenantResponse>(path, HttpContext.RequestAborted);
        if (!tenant.Succeeded)
        {
            return await FailedAsync(tenant.Problem!);
        }

        Tenant = tenant.Value;
        var since = DateTimeOffset.UtcNow.AddHours(-24).ToString("O", CultureInfo.InvariantCulture);
        var mailboxes = await Api.GetAsync<List<MailboxResponse>>(path + "/mailboxes", HttpContext.RequestAborted);
        var inbound = await Api.GetAsync<List<InboundAddressResponse>>(path + "/inbound-addresses", HttpContext.RequestAborted);
        var alarms = await Api.GetAsync<List<AlarmResponse>>($"{path}/alarms?limit=500&since={Uri.EscapeDataString(since)}", HttpContext.RequestAborted);
        foreach (var failed in new[] { mailboxes.Problem, inbound.Problem, alarms.Problem }.OfType<ApiProblem>().Take(1))
        {
            Error = Describe(failed);
        }

        Mailboxes = mailboxes.Value ?? [];
        Inbound = inbound.Value ?? [];
        Alarms24h = alarms.Value ?? [];
        Backlog = Alarms24h.Sum(a => a.Deliveries.Count(d => d.State == WebhookDeliveryState.Pending));
        return Page();
    }
}
