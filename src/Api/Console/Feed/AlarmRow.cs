using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using AlarmInbox.Api.Alarms;
using Microsoft.Extensions.Localization;

namespace AlarmInbox.Api.Console.Feed;

/// <summary>
/// The HTML of one alarm in the console's list, used by the alarms page and by the live feed (one rendering for both):
/// Stichwort, Einsatznummer, address, a link to the position on openstreetmap.org, the late flag and the status.
/// </summary>
public static class AlarmRow
{
    /// <summary>The fields that make up the address, in the order they are shown.</summary>
    public static IReadOnlyList<string> AddressLabels { get; } = ["Straße", "Ort", "Objekt"];

    /// <summary>The address of an alarm from its fields (Straße, Ort, Objekt), or null.</summary>
    public static string? Address(AlarmResponse alarm)
    {
        var parts = AddressLabels.Select(label => alarm.Fields.TryGetValue(label, out var value) ? value.Trim() : null)
            .Where(value => !string.IsNullOrEmpty(value)).ToList();
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>The openstreetmap.org link of a position (zoom 17, marker at the position).</summary>
    public static string MapUrl(PositionResponse position)
    {
        var lat = position.Latitude.ToString("0.######", CultureInfo.InvariantCulture);
        var lon = position.Longitude.ToString("0.######", CultureInfo.InvariantCulture);
        return $"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}";
    }

    /// <summary>Renders the list item (an <c>li</c> with id <c>alarm-{id}</c>) in the current UI culture.</summary>
    public static string Render(AlarmResponse alarm, string tenantId, IStringLocalizer text)
    {
        var e = HtmlEncoder.Default;
        var html = new StringBuilder();
        var statusClass = alarm.Status.ToString().ToLowerInvariant();
        html.Append(CultureInfo.InvariantCulture, $"<li class=\"alarm alarm-{statusClass}\" id=\"alarm-{e.Encode(alarm.Id)}\" data-revision=\"{alarm.Revision}\">");
        html.Append(CultureInfo.InvariantCulture, $"<a class=\"alarm-title\" href=\"/t/{e.Encode(Uri.EscapeDataString(tenantId))}/alarms/{e.Encode(Uri.EscapeDataString(alarm.Id))}\">");
        html.Append(CultureInfo.InvariantCulture, $"<span class=\"keyword\">{e.Encode(alarm.Keyword ?? text["Alarm.NoKeyword"])}</span>");
        if (alarm.IncidentNumber is { } number)
        {
            html.Append(CultureInfo.InvariantCulture, $" <span class=\"incident\">{e.Encode(text["Alarm.IncidentNumber"])} {e.Encode(number)}</span>");
        }

        html.Append("</a>");
        html.Append(CultureInfo.InvariantCulture, $" <span class=\"badge badge-{statusClass}\">{e.Encode(text["AlarmStatus." + alarm.Status])}</span>");
        if (alarm.Late)
        {
            html.Append(CultureInfo.InvariantCulture, $" <span class=\"badge badge-late\">{e.Encode(text["Alarm.Late"])}</span>");
        }

        if (alarm.Revision > 1)
        {
            html.Append(CultureInfo.InvariantCulture, $" <span class=\"badge\">{e.Encode(string.Format(CultureInfo.CurrentCulture, text["Alarm.Revision"], alarm.Revision))}</span>");
        }

        html.Append("<div class=\"alarm-meta\">");
        if (Address(alarm) is { } address)
        {
            html.Append(CultureInfo.InvariantCulture, $"<span class=\"address\">{e.Encode(address)}</span> ");
        }

        if (alarm.Position is { } position)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a class=\"map\" href=\"{e.Encode(MapUrl(position))}\" rel=\"noopener noreferrer\" target=\"_blank\">{e.Encode(text["Alarm.Map"])}</a> ");
        }

        html.Append(CultureInfo.InvariantCulture, $"<time datetime=\"{alarm.EvaluatedAt.UtcDateTime:O}\">{e.Encode(Format.Time(alarm.EvaluatedAt))}</time>");
        if (alarm.Rejection is { } rejection)
        {
            html.Append(CultureInfo.InvariantCulture, $" <span class=\"rejection\">{e.Encode(text["Rejection." + rejection.Code].ResourceNotFound ? rejection.Message : text["Rejection." + rejection.Code])}</span>");
        }

        html.Append("</div></li>");
        return html.ToString();
    }
}
