using AlarmInbox.Api.Console.Pages;

namespace AlarmInbox.Tests.Console;

/// <summary>The alarm page lists the fields as a crew reads them, not alphabetically (Stichwort and Straße came last).</summary>
public sealed class AlarmFieldOrderTests
{
    [Fact]
    public void KeywordAndIncidentComeFirstThenTheAddressThenTheRestThenTheTenantsOwnLabelsAlphabetically()
    {
        var fields = new Dictionary<string, string>
        {
            ["Alarmzeit"] = "07:30",
            ["Bemerkung"] = "Rauch sichtbar",
            ["Ort"] = "Musterdorf",
            ["Zugführer"] = "Meier",
            ["Einsatznummer"] = "2026-113480",
            ["Straße"] = "Hauptstraße 1",
            ["Anrufer"] = "Nachbar",
            ["Stichwort"] = "B2 Kaminbrand",
        };

        Assert.Equal(
            ["Stichwort", "Einsatznummer", "Straße", "Ort", "Bemerkung", "Alarmzeit", "Anrufer", "Zugführer"],
            AlarmDetailModel.InReadingOrder(fields).Select(f => f.Key));
    }
}
