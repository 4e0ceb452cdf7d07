using AlarmInbox.Api.Mailboxes;
using AlarmInbox.Api.Tenants;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>The operator's fleet view: every tenant's mailboxes by health and by error code, failing ones first.</summary>
public sealed class FleetModel : ConsolePage
{
    private static readonly string[] Order = ["failing", "waiting", "paused", "healthy"];

    /// <summary>Mailboxes per health kind, in <see cref="Order"/>.</summary>
    public IReadOnlyList<(string Kind, int Count)> ByHealth { get; private set; } = [];

    /// <summary>Failing mailboxes per error code, most first.</summary>
    public IReadOnlyList<(string Code, int Count)> ByError { get; private set; } = [];

    /// <summary>Every mailbox with its health, failing first.</summary>
    public IReadOnlyList<FleetRow> Rows { get; private set; } = [];

    /// <summary>Loads every tenant's mailboxes (404 for a tenant admin: the API answers 403 for the tenant list).</summary>
    public async Task<IActionResult> OnGetAsync()
    {
        var tenants = await Api.GetAsync<TenantListResponse>("api/tenants", HttpContext.RequestAborted);
        if (!tenants.Succeeded)
        {
            return await OperatorFailedAsync(tenants.Problem!);
        }

        var rows = new List<FleetRow>();
        foreach (var tenant in tenants.Value!.TenantIds)
        {
            var mailboxes = await Api.GetAsync<List<MailboxResponse>>($"api/tenants/{Uri.EscapeDataString(tenant)}/mailboxes", HttpContext.RequestAborted);
            rows.AddRange((mailboxes.Value ?? []).Select(m => new FleetRow(m, MailboxHealth.Of(m.Status, Text))));
        }

        Rows = [.. rows.OrderBy(r => Array.IndexOf(Order, r.Health.Kind)).ThenBy(r => r.Mailbox.TenantId, StringComparer.Ordinal).ThenBy(r => r.Mailbox.DisplayName, StringComparer.CurrentCulture)];
        ByHealth = [.. Order.Select(kind => (kind, rows.Count(r => r.Health.Kind == kind)))];
        ByError = [.. rows.Where(r => r.Health.Kind == "failing" && r.Mailbox.Status.LastError is not null)
            .GroupBy(r => r.Mailbox.Status.LastError!.Code).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2)];
        return Page();
    }

    /// <summary>A mailbox in the fleet view.</summary>
    /// <param name="Mailbox">The mailbox.</param>
    /// <param name="Health">Its health.</param>
    public sealed record FleetRow(MailboxResponse Mailbox, MailboxHealth Health);
}
