using AlarmInbox.Api.Inbound;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>Inbound (SMTP) addresses of a tenant: list with counters, create, rotate, revoke (with confirmation).</summary>
public sealed class InboundModel : ConsolePage
{
    /// <summary>The addresses.</summary>
    public IReadOnlyList<InboundAddressResponse> Addresses { get; private set; } = [];

    /// <summary>The note of a new address.</summary>
    [BindProperty]
    public string? Description { get; set; }

    /// <summary>Lists the addresses.</summary>
    public async Task<IActionResult> OnGetAsync(string tenantId) => await LoadAsync(tenantId) ?? Page();

    /// <summary>Creates an address.</summary>
    public async Task<IActionResult> OnPostCreateAsync(string tenantId)
    {
        var created = await Api.SendJsonAsync<InboundAddressResponse>(HttpMethod.Post, Path(tenantId), new InboundAddressRequest(Description), HttpContext.RequestAborted);
        if (!created.Succeeded)
        {
            return await LoadAsync(tenantId) ?? await FormFailedAsync(created.Problem!, "");
        }

        Notice = string.Format(System.Globalization.CultureInfo.CurrentCulture, Text["Inbound.Created"], created.Value!.Address);
        return Redirect("/t/" + Uri.EscapeDataString(tenantId) + "/inbound");
    }

    /// <summary>Gives an address a new token.</summary>
    public Task<IActionResult> OnPostRotateAsync(string tenantId, [FromForm] string addressId) =>
        ActAsync(tenantId, HttpMethod.Post, $"{Path(tenantId)}/{Uri.EscapeDataString(addressId)}/rotate", "Inbound.Rotated");

    /// <summary>Revokes an address when the confirmation box is ticked.</summary>
    public async Task<IActionResult> OnPostRevokeAsync(string tenantId, [FromForm] string addressId, [FromForm] bool confirm)
    {
        if (!confirm)
        {
            Error = Text["Inbound.RevokeConfirmMissing"];
            return await LoadAsync(tenantId) ?? Page();
        }

        return await ActAsync(tenantId, HttpMethod.Delete, $"{Path(tenantId)}/{Uri.EscapeDataString(addressId)}", "Inbound.RevokedNotice");
    }

    private async Task<IActionResult> ActAsync(string tenantId, HttpMethod method, string path, string notice)
    {
        var result = await Api.SendJsonAsync<InboundAddressResponse>(method, path, null, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            return await FailedAsync(result.Problem!);
        }

        Notice = Text[notice];
        return Redirect("/t/" + Uri.EscapeDataString(tenantId) + "/inbound");
    }

    private async Task<IActionResult?> LoadAsync(string tenantId)
    {
        var addresses = await Api.GetAsync<List<InboundAddressResponse>>(Path(tenantId), HttpContext.RequestAborted);
        if (!addresses.Succeeded)
        {
            return await FailedAsync(addresses.Problem!);
        }

        Addresses = addresses.Value!;
        return null;
    }

    private static string Path(string tenantId) => $"api/tenants/{Uri.EscapeDataString(tenantId)}/inbound-addresses";
}
