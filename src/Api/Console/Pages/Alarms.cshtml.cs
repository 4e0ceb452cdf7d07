using System.Globalization;
using AlarmInbox.Api.Alarms;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>The alarms: the newest 50 and a live feed (server-sent events) that adds new and updated ones as they are evaluated.</summary>
public sealed class AlarmsModel : ConsolePage
{
    /// <summary>The tenant.</summary>
    public string TenantId { get; private set; } = "";

    /// <summary>The newest alarms.</summary>
    public IReadOnlyList<AlarmResponse> Alarms { get; private set; } = [];

    /// <summary>The time the list was read (ISO 8601); the feed sends what was evaluated from then on.</summary>
    public string Since { get; private set; } = "";

    /// <summary>Loads the list.</summary>
    public async Task<IActionResult> OnGetAsync(string tenantId)
    {
        TenantId = tenantId;
        Since = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var alarms = await Api.GetAsync<List<AlarmResponse>>($"api/tenants/{Uri.EscapeDataString(tenantId)}/alarms?limit=50", HttpContext.RequestAborted);
        if (!alarms.Succeeded)
        {
            return await FailedAsync(alarms.Problem!);
        }

        Alarms = alarms.Value!;
        return Page();
    }
}
