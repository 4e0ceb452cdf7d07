using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Reads an XML incident attachment into fields. Leaf elements are mapped by local name, case-insensitively:
/// <c>number</c>/<c>incidentNumber</c>/<c>einsatznummer</c> → Einsatznummer, <c>keyword</c>/<c>stichwort</c> → Stichwort,
/// <c>city</c>/<c>ort</c> → Ort, <c>street</c>/<c>strasse</c> + <c>houseNumber</c>/<c>hausnummer</c> → Straße,
/// <c>lat</c>/<c>latitude</c> and <c>lon</c>/<c>lng</c>/<c>longitude</c> → position, <c>unit</c>/<c>einsatzmittel</c> (repeated) →
/// Einsatzmittel, and so on (see <c>docs/alarms.md</c>). DTDs are refused and no external resource is read.
/// </summary>
public static class XmlIncidentReader
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["number"] = AlarmLabels.Einsatznummer,
        ["incidentNumber"] = AlarmLabels.Einsatznummer,
        ["einsatznummer"] = AlarmLabels.Einsatznummer,
        ["einsatzNr"] = AlarmLabels.Einsatznummer,
        ["keyword"] = AlarmLabels.Stichwort,
        ["stichwort"] = AlarmLabels.Stichwort,
        ["schlagwort"] = AlarmLabels.Schlagwort,
        ["description"] = AlarmLabels.Schlagwort,
        ["city"] = AlarmLabels.Ort,
        ["ort"] = AlarmLabels.Ort,
        ["object"] = AlarmLabels.Objekt,
        ["objekt"] = AlarmLabels.Objekt,
        ["unit"] = AlarmLabels.Einsatzmittel,
        ["einsatzmittel"] = AlarmLabels.Einsatzmittel,
        ["remark"] = AlarmLabels.Bemerkung,
        ["note"] = AlarmLabels.Bemerkung,
        ["bemerkung"] = AlarmLabels.Bemerkung,
        ["alarmTime"] = AlarmLabels.Alarmzeit,
        ["alarmzeit"] = AlarmLabels.Alarmzeit,
    };

    /// <summary>Reads the fields and the position of an incident document.</summary>
    /// <returns>The fields (canonical label → value) and the position, if any.</returns>
    /// <exception cref="XmlException">The content is not well-formed XML or has a DTD.</exception>
    public static (IReadOnlyDictionary<string, string> Fields, GeoPosition? Position) Read(string xml)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = 1_000_000,
            IgnoreComments = true,
        };
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        var document = XDocument.Load(reader);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var units = new List<string>();
        string? street = null, houseNumber = null, lat = null, lon = null;

        foreach (var element in document.Descendants().Where(e => !e.HasElements))
        {
            var name = element.Name.LocalName;
            var value = element.Value.Trim();
            if (value.Length == 0)
            {
                continue;
            }

            switch (name.ToLowerInvariant())
            {
                case "street" or "strasse" or "straße":
                    street ??= value;
                    continue;
                case "housenumber" or "hausnummer":
                    houseNumber ??= value;
                    continue;
                case "lat" or "latitude" or "breitengrad":
                    lat ??= value;
                    continue;
                case "lon" or "lng" or "longitude" or "laengengrad" or "längengrad":
                    lon ??= value;
                    continue;
            }

            if (Names.TryGetValue(name, out var label))
            {
                if (label == AlarmLabels.Einsatzmittel)
                {
                    units.Add(value);
                }
                else
                {
                    fields.TryAdd(label, value);
                }
            }
        }

        if (street is not null)
        {
            fields[AlarmLabels.Strasse] = houseNumber is null ? street : street + " " + houseNumber;
        }

        if (units.Count > 0)
        {
            fields[AlarmLabels.Einsatzmittel] = string.Join(", ", units);
        }

        GeoPosition? position = null;
        if (double.TryParse(lat, NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude)
            && double.TryParse(lon, NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude))
        {
            position = PositionParser.Create(latitude, longitude);
            if (position is not null)
            {
                fields[AlarmLabels.Koordinaten] = string.Create(CultureInfo.InvariantCulture, $"{position.Latitude}, {position.Longitude}");
            }
        }

        return (fields, position);
    }
}
