using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Other spellings of the built-in labels and address parts that dispatch centres write, each read as its canonical
/// label: abbreviations (<c>Einsatz-Nr.</c>, <c>E-Nr</c>, <c>Schlagw.</c>, <c>Hausnr.</c>), other words for the same field
/// (<c>Alarmstichwort</c>, <c>Meldebild</c>, <c>Postleitzahl</c>, <c>Einsatzadresse</c>) and <c>ss</c> for <c>ß</c>.
/// </summary>
internal static class LabelAliases
{
    /// <summary>
    /// Alias → canonical label, aliases in their usual spelling (matched case-insensitively, a space as any whitespace, a
    /// <c>/</c> with or without spaces around it).
    /// </summary>
    public static IReadOnlyList<(string Alias, string Label)> All { get; } =
    [
        ("Einsatz-Nummer", AlarmLabels.Einsatznummer),
        ("Einsatz-Nr.", AlarmLabels.Einsatznummer),
        ("Einsatz-Nr", AlarmLabels.Einsatznummer),
        ("Einsatz Nr.", AlarmLabels.Einsatznummer),
        ("Einsatz Nr", AlarmLabels.Einsatznummer),
        ("Einsatznr.", AlarmLabels.Einsatznummer),
        ("Einsatznr", AlarmLabels.Einsatznummer),
        ("E-Nummer", AlarmLabels.Einsatznummer),
        ("ENR", AlarmLabels.Einsatznummer),
        ("E-Nr.", AlarmLabels.Einsatznummer),
        ("E-Nr", AlarmLabels.Einsatznummer),
        ("Incident Number", AlarmLabels.Einsatznummer),
        ("Incident No.", AlarmLabels.Einsatznummer),
        ("Alarmstichwort", AlarmLabels.Stichwort),
        ("Einsatzstichwort", AlarmLabels.Stichwort),
        ("Stichw.", AlarmLabels.Stichwort),
        ("Schlagw.", AlarmLabels.Schlagwort),
        ("Meldebild", AlarmLabels.Schlagwort),
        ("Strasse", AlarmLabels.Strasse),
        ("Str.", AlarmLabels.Strasse),
        ("Straße/Hausnummer", AlarmLabels.Strasse),
        ("Straße/Hausnr.", AlarmLabels.Strasse),
        ("Straße/Haus-Nr.", AlarmLabels.Strasse),
        ("Straße/Nr.", AlarmLabels.Strasse),
        ("Strasse/Hausnummer", AlarmLabels.Strasse),
        ("Strasse/Hausnr.", AlarmLabels.Strasse),
        ("Strasse/Haus-Nr.", AlarmLabels.Strasse),
        ("Strasse/Nr.", AlarmLabels.Strasse),
        ("Objektname", AlarmLabels.Objekt),
        ("Einsatzobjekt", AlarmLabels.Objekt),
        ("Koordinate", AlarmLabels.Koordinaten),
        ("GPS-Koordinaten", AlarmLabels.Koordinaten),
        ("GPS", AlarmLabels.Koordinaten),
        ("WGS84", AlarmLabels.Koordinaten),
        ("WGS 84", AlarmLabels.Koordinaten),
        ("Bemerkungen", AlarmLabels.Bemerkung),
        ("Alarmierungszeit", AlarmLabels.Alarmzeit),
        ("Alarmierungszeitpunkt", AlarmLabels.Alarmzeit),
        ("Alarmzeitpunkt", AlarmLabels.Alarmzeit),
        ("Haus-Nummer", AlarmLabels.Hausnummer),
        ("Haus-Nr.", AlarmLabels.Hausnummer),
        ("Haus-Nr", AlarmLabels.Hausnummer),
        ("Hausnr.", AlarmLabels.Hausnummer),
        ("Hausnr", AlarmLabels.Hausnummer),
        ("HNr.", AlarmLabels.Hausnummer),
        ("Postleitzahl", AlarmLabels.Plz),
        ("Ort/Straße", AlarmLabels.Einsatzort),
        ("Adresse", AlarmLabels.Einsatzort),
        ("Einsatz-Ort", AlarmLabels.Einsatzort),
        ("Einsatzadresse", AlarmLabels.Einsatzort),
        ("Einsatzanschrift", AlarmLabels.Einsatzort),
        ("Incident Address", AlarmLabels.Einsatzort),
        ("Incident Location", AlarmLabels.Einsatzort),
        ("Anrufer", AlarmLabels.Mitteiler),
        ("Meldender", AlarmLabels.Mitteiler),
        ("Sonderrechte", AlarmLabels.Sondersignal),
    ];

    /// <summary>The spellings of <paramref name="label"/>: itself and its aliases.</summary>
    public static IEnumerable<string> SpellingsOf(string label) =>
        All.Where(a => string.Equals(a.Label, label, StringComparison.OrdinalIgnoreCase)).Select(a => a.Alias).Prepend(label);

    /// <summary>The canonical label an alias stands for, or <paramref name="spelling"/> itself.</summary>
    /// <param name="spelling">The label as written, whitespace runs collapsed to one space and none around a <c>/</c>.</param>
    public static string Canonical(string spelling)
    {
        foreach (var (alias, label) in All)
        {
            if (string.Equals(alias, spelling, StringComparison.OrdinalIgnoreCase))
            {
                return label;
            }
        }

        return spelling;
    }
}
