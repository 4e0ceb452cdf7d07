namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>The field names (German labels of the dispatch centres) that every evaluation extracts.</summary>
public static class AlarmLabels
{
    /// <summary>Incident number; merges follow-up mails into one alarm.</summary>
    public const string Einsatznummer = "Einsatznummer";

    /// <summary>Keyword, e.g. <c>B3 Wohnhausbrand</c>.</summary>
    public const string Stichwort = "Stichwort";

    /// <summary>Secondary keyword / short description.</summary>
    public const string Schlagwort = "Schlagwort";

    /// <summary>Place (postcode, town, district).</summary>
    public const string Ort = "Ort";

    /// <summary>Street and house number (also read from <c>Strasse:</c>).</summary>
    public const string Strasse = "Straße";

    /// <summary>Object, e.g. a building's name.</summary>
    public const string Objekt = "Objekt";

    /// <summary>Coordinates; parsed into latitude/longitude.</summary>
    public const string Koordinaten = "Koordinaten";

    /// <summary>Alerted units.</summary>
    public const string Einsatzmittel = "Einsatzmittel";

    /// <summary>Remark.</summary>
    public const string Bemerkung = "Bemerkung";

    /// <summary>Alarm time as written by the dispatch centre.</summary>
    public const string Alarmzeit = "Alarmzeit";

    /// <summary>The built-in labels, in the order they are reported.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } =
        [Einsatznummer, Stichwort, Schlagwort, Ort, Strasse, Objekt, Koordinaten, Einsatzmittel, Bemerkung, Alarmzeit];
}
