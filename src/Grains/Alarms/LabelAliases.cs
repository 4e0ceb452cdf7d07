using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Other spellings of the built-in labels that dispatch centres write, each read as its canonical label:
/// <c>Strasse</c> → <c>Straße</c>; <c>Einsatz-Nr.</c>, <c>Einsatz-Nr</c>, <c>Einsatznr.</c>, <c>Einsatznr</c>, <c>Einsatz Nr.</c>,
/// <c>Einsatz-Nummer</c> → <c>Einsatznummer</c>.
/// </summary>
internal static class LabelAliases
{
    /// <summary>Alias → canonical label, aliases in their usual spelling (matched case-insensitively, spaces as any whitespace).</summary>
    public static IReadOnlyList<(string Alias, string Label)> All { get; } =
    [
        ("Strasse", AlarmLabels.Strasse),
        ("Einsatz-Nummer", AlarmLabels.Einsatznummer),
        ("Einsatz-Nr.", AlarmLabels.Einsatznummer),
        ("Einsatz-Nr", AlarmLabels.Einsatznummer),
        ("Einsatz Nr.", AlarmLabels.Einsatznummer),
        ("Einsatz Nr", AlarmLabels.Einsatznummer),
        ("Einsatznr.", AlarmLabels.Einsatznummer),
        ("Einsatznr", AlarmLabels.Einsatznummer),
    ];

    /// <summary>The spellings of <paramref name="label"/>: itself and its aliases.</summary>
    public static IEnumerable<string> SpellingsOf(string label) =>
        All.Where(a => string.Equals(a.Label, label, StringComparison.OrdinalIgnoreCase)).Select(a => a.Alias).Prepend(label);

    /// <summary>The canonical label an alias stands for, or <paramref name="spelling"/> itself.</summary>
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
