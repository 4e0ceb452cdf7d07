using AlarmInbox.Api.Alarms;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>One alarm: fields, history of its mails, webhook deliveries, text.</summary>
public sealed class AlarmDetailModel : ConsolePage
{
    /// <summary>The tenant.</summary>
    public string TenantId { get; private set; } = "";

    /// <summary>The alarm.</summary>
    public AlarmResponse? Alarm { get; private set; }

    /// <summary>Loads the alarm.</summary>
    public async Task<IActionResult> OnGetAsync(string tenantId, string alarmId)
    {
        TenantId = tenantId;
        var alarm = await Api.GetAsync<AlarmResponse>($"api/tenants/{Uri.EscapeDataString(tenantId)}/alarms/{Uri.EscapeDataString(alarmId)}", HttpContext.RequestAborted);
        if (!alarm.Succeeded)
        {
            return await FailedAsync(alarm.Problem!);
        }

        Alarm = alarm.Value;
        return Page();
    }
}
