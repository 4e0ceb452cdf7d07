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

    /// <summary>House number, written by some dispatch centres apart from the street; joined to <see cref="Strasse"/>.</summary>
    public const string Hausnummer = "Hausnummer";

    /// <summary>Postcode, written by some dispatch centres apart from the place; put before <see cref="Ort"/>.</summary>
    public const string Plz = "PLZ";

    /// <summary>District of the place; kept as its own field, <see cref="Ort"/> is not changed.</summary>
    public const string Ortsteil = "Ortsteil";

    /// <summary>
    /// The whole address in one value (<c>Hauptstraße 5, 12345 Musterdorf</c>); split into <see cref="Strasse"/> and
    /// <see cref="Ort"/> where those are missing and the value has a recognised shape.
    /// </summary>
    public const string Einsatzort = "Einsatzort";

    /// <summary>Whether the units drive with blue lights and siren, as written (<c>ja</c>, <c>nein</c>, <c>mit</c>).</summary>
    public const string Sondersignal = "Sondersignal";

    /// <summary>The caller who reported the incident (also read from <c>Anrufer:</c> and <c>Meldender:</c>).</summary>
    public const string Mitteiler = "Mitteiler";

    /// <summary>The built-in labels, in the order they are reported.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } =
        [Einsatznummer, Stichwort, Schlagwort, Ort, Strasse, Objekt, Koordinaten, Einsatzmittel, Bemerkung, Alarmzeit];

    /// <summary>
    /// Labels of address parts that are read besides <see cref="BuiltIn"/> and combined into <see cref="Strasse"/> and
    /// <see cref="Ort"/> (they stay in the fields as read).
    /// </summary>
    public static IReadOnlyList<string> AddressParts { get; } = [Hausnummer, Plz, Ortsteil, Einsatzort];

    /// <summary>Further labels read besides <see cref="BuiltIn"/> and <see cref="AddressParts"/>, as fields of their own.</summary>
    public static IReadOnlyList<string> Details { get; } = [Sondersignal, Mitteiler];

    /// <summary>Every label read from an alarm text besides the tenant's: <see cref="BuiltIn"/>, <see cref="AddressParts"/> and <see cref="Details"/>.</summary>
    public static IReadOnlyList<string> Read { get; } = [.. BuiltIn, .. AddressParts, .. Details];
}
