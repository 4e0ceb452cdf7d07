using AlarmInbox.Api.Tenants;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>The start page: a tenant admin goes to the tenant's overview; an operator sees the tenants and creates new ones.</summary>
public sealed class IndexModel : ConsolePage
{
    /// <summary>The tenant ids.</summary>
    public IReadOnlyList<string> Tenants { get; private set; } = [];

    /// <summary>The new tenant.</summary>
    [BindProperty]
    public TenantForm Form { get; set; } = new();

    /// <summary>Lists the tenants (operator) or goes to the own tenant (tenant admin).</summary>
    public async Task<IActionResult> OnGetAsync()
    {
        if (!IsOperator)
        {
            return Redirect($"/t/{Uri.EscapeDataString(OwnTenant ?? "")}");
        }

        var list = await Api.GetAsync<TenantListResponse>("api/tenants", HttpContext.RequestAborted);
        if (!list.Succeeded)
        {
            return await FailedAsync(list.Problem!);
        }

        Tenants = list.Value!.TenantIds;
        return Page();
    }

    /// <summary>Creates a tenant (operator only: the API refuses a tenant admin's key with 403).</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        var created = await Api.SendJsonAsync<TenantResponse>(HttpMethod.Post, "api/tenants", new CreateTenantRequest(Form.Id?.Trim(), Form.Name?.Trim()), HttpContext.RequestAborted);
        if (!created.Succeeded)
        {
            var list = await Api.GetAsync<TenantListResponse>("api/tenants", HttpContext.RequestAborted);
            Tenants = list.Value?.TenantIds ?? [];
            return await FormFailedAsync(created.Problem!, "Form.");
        }

        return Redirect($"/t/{Uri.EscapeDataString(created.Value!.Id)}");
    }

    /// <summary>The fields of a new tenant.</summary>
    public sealed class TenantForm
    {
        /// <summary>The tenant id.</summary>
        public string? Id { get; set; }

        /// <summary>The tenant's name.</summary>
        public string? Name { get; set; }
    }
}
