using AlarmInbox.Api.Alarms;
using AlarmInbox.Api.Inbound;
using AlarmInbox.Api.Mailboxes;
using AlarmInbox.Api.Webhooks;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Ids;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Console.Pages;

/// <summary>One alarm: fields, history of its mails, its receipts (which path delivered it when), webhook deliveries, text.</summary>
public sealed class AlarmDetailModel : ConsolePage
{
    /// <summary>The tenant.</summary>
    public string TenantId { get; private set; } = "";

    /// <summary>The alarm.</summary>
    public AlarmResponse? Alarm { get; private set; }

    /// <summary>Names of the tenant's mailboxes (display name) and inbound addresses (the address), by id, for the receipts.</summary>
    public IReadOnlyDictionary<string, string> SourceNames { get; private set; } = new Dictionary<string, string>();

    /// <summary>The names of the tenant's webhooks by id (for the deliveries table; a deleted webhook shows its id).</summary>
    public IReadOnlyDictionary<string, string> WebhookNames { get; private set; } = new Dictionary<string, string>();

    /// <summary>
    /// The fields as a crew reads them: keyword and incident number, then the address, then the rest of the built-in
    /// labels (<see cref="AlarmLabels"/>), then the tenant's own labels alphabetically.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> InReadingOrder(IReadOnlyDictionary<string, string> fields) =>
        fields.OrderBy(f => ReadingOrder.IndexOf(f.Key) is var i and >= 0 ? i : ReadingOrder.Count).ThenBy(f => f.Key, StringComparer.Ordinal);

    private static readonly List<string> ReadingOrder =
    [
        AlarmLabels.Stichwort, AlarmLabels.Schlagwort, AlarmLabels.Einsatznummer, AlarmLabels.Strasse, AlarmLabels.Hausnummer,
        AlarmLabels.Plz, AlarmLabels.Ort, AlarmLabels.Ortsteil, AlarmLabels.Einsatzort, AlarmLabels.Objekt, AlarmLabels.Einsatzmittel,
        AlarmLabels.Bemerkung, AlarmLabels.Sondersignal, AlarmLabels.Mitteiler, AlarmLabels.Alarmzeit, AlarmLabels.Koordinaten,
    ];

    /// <summary>Loads the alarm and the names of the mailboxes and addresses its receipts name.</summary>
    public async Task<IActionResult> OnGetAsync(string tenantId, string alarmId)
    {
        TenantId = tenantId;
        var tenant = $"api/tenants/{Uri.EscapeDataString(tenantId)}";
        var alarm = await Api.GetAsync<AlarmResponse>($"{tenant}/alarms/{Uri.EscapeDataString(alarmId)}", HttpContext.RequestAborted);
        if (!alarm.Succeeded)
        {
            return await FailedAsync(alarm.Problem!);
        }

        Alarm = alarm.Value;
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Alarm!.Receipts.Any(r => EntityIds.HasPrefix(r.SourceId, EntityIds.Mailbox)))
        {
            var mailboxes = await Api.GetAsync<List<MailboxResponse>>($"{tenant}/mailboxes", HttpContext.RequestAborted);
            foreach (var mailbox in mailboxes.Value ?? [])
            {
                names[mailbox.Id] = mailbox.DisplayName;
            }
        }

        if (Alarm.Receipts.Any(r => EntityIds.HasPrefix(r.SourceId, EntityIds.InboundAddress)))
        {
            var addresses = await Api.GetAsync<List<InboundAddressResponse>>($"{tenant}/inbound-addresses", HttpContext.RequestAborted);
            foreach (var address in addresses.Value ?? [])
            {
                names[address.Id] = address.Address;
            }
        }

        if (Alarm.Deliveries.Count > 0)
        {
            var webhooks = await Api.GetAsync<List<WebhookResponse>>($"{tenant}/webhooks", HttpContext.RequestAborted);
            WebhookNames = (webhooks.Value ?? []).ToDictionary(w => w.Id, w => w.Name, StringComparer.Ordinal);
        }

        SourceNames = names;
        return Page();
    }
}
