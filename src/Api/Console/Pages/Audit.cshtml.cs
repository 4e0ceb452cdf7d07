using AlarmInbox.Api.Audit;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>The audit log (operator): the newest 200 entries.</summary>
public sealed class AuditModel : ConsolePage
{
    /// <summary>The entries, newest first.</summary>
    public IReadOnlyList<AuditEntryResponse> Entries { get; private set; } = [];

    /// <summary>Loads the entries (404 for a tenant admin: the API answers 403).</summary>
    public async Task<IActionResult> OnGetAsync()
    {
        var entries = await Api.GetAsync<AuditListResponse>("api/audit?limit=200", HttpContext.RequestAborted);
        if (!entries.Succeeded)
        {
            return await OperatorFailedAsync(entries.Problem!);
        }

        Entries = entries.Value!.Entries;
        return Page();
    }
}
