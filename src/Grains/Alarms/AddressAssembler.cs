using System.Text.RegularExpressions;
using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Combines address parts written under labels of their own into <c>Straße</c> and <c>Ort</c>: <c>Hausnummer</c> after the
/// street, <c>PLZ</c> before the place, and a whole address under <c>Einsatzort</c> split into street and place where those
/// are missing. A part is only used when its shape is unambiguous: a wrong address is worse than none, so a value that
/// does not look like a house number, a postcode or a known address shape is left in its own field and nothing is combined.
/// </summary>
/// <remarks>
/// The regular expressions have no match timeout: they are fixed, linear, and only see values of at most
/// <see cref="MaxPartLength"/> characters, so a timeout could only fire on a busy machine and would then cost the mail its
/// labelled fields.
/// </remarks>
internal static partial class AddressAssembler
{
    /// <summary>The longest value looked at as an address part.</summary>
    private const int MaxPartLength = 100;

    /// <summary>Combines the parts in <paramref name="fields"/> (label → value) in place; <paramref name="sources"/> gets the combined fields' source.</summary>
    public static void Combine(Dictionary<string, string> fields, Dictionary<string, string> sources)
    {
        if (fields.TryGetValue(AlarmLabels.Einsatzort, out var whole) && whole.Length <= 3 * MaxPartLength)
        {
            var (street, place) = Split(whole);
            if (street is not null && !fields.ContainsKey(AlarmLabels.Strasse))
            {
                fields[AlarmLabels.Strasse] = street;
                sources[AlarmLabels.Strasse] = "label:" + AlarmLabels.Einsatzort;
            }

            if (place is not null && !fields.ContainsKey(AlarmLabels.Ort))
            {
                fields[AlarmLabels.Ort] = place;
                sources[AlarmLabels.Ort] = "label:" + AlarmLabels.Einsatzort;
            }
        }

        if (fields.TryGetValue(AlarmLabels.Hausnummer, out var number) && number.Length <= MaxPartLength && HouseNumber().IsMatch(number)
            && fields.TryGetValue(AlarmLabels.Strasse, out var streetName) && streetName.Length <= MaxPartLength
            && !EndsWithHouseNumber().IsMatch(streetName))
        {
            fields[AlarmLabels.Strasse] = streetName + " " + number;
        }

        if (fields.TryGetValue(AlarmLabels.Plz, out var postcode) && postcode.Length <= MaxPartLength && Postcode().IsMatch(postcode)
            && fields.TryGetValue(AlarmLabels.Ort, out var town) && town.Length <= MaxPartLength && !StartsWithPostcode().IsMatch(town))
        {
            fields[AlarmLabels.Ort] = postcode + " " + town;
        }
    }

    /// <summary>
    /// Splits a whole address: <c>Street 5, 12345 Town</c>, <c>12345 Town, Street 5</c>, <c>Town, Street 5</c>, a street
    /// with a house number alone, a postcode and town alone, or a town alone (no digits, no street word). Anything else
    /// gives neither part.
    /// </summary>
    internal static (string? Street, string? Place) Split(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        switch (parts.Length)
        {
            case 1:
                var part = parts[0];
                if (IsStreet(part))
                {
                    return (part, null);
                }

                return IsPlace(part) ? (null, part) : (null, null);
            case 2:
                if (IsStreet(parts[0]) && IsPlace(parts[1]))
                {
                    return (parts[0], parts[1]);
                }

                if (IsPlace(parts[0]) && IsStreet(parts[1]))
                {
                    return (parts[1], parts[0]);
                }

                return (null, null);
            default:
                return (null, null);
        }
    }

    /// <summary>A street with a house number (<c>Hauptstraße 5a</c>, <c>Am Markt 3-5</c>), or a street name alone (<c>Lindenweg</c>).</summary>
    private static bool IsStreet(string part) =>
        part.Length <= MaxPartLength && !StartsWithPostcode().IsMatch(part) && (StreetWithNumber().IsMatch(part) || StreetWord().IsMatch(part));

    /// <summary>
    /// A postcode and a town (<c>12345 Musterdorf</c>), or a town name alone that is not a street name: letters, spaces,
    /// <c>.-/()'</c> (not an e-mail address, a phone number or a sentence with punctuation).
    /// </summary>
    private static bool IsPlace(string part) =>
        part.Length <= MaxPartLength && (PostcodeAndTown().IsMatch(part) || (TownName().IsMatch(part) && !StreetWord().IsMatch(part)));

    [GeneratedRegex(@"^\d{1,4}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,4}\s?[a-zA-Z]?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex HouseNumber();

    [GeneratedRegex(@"\s\d{1,4}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,4}\s?[a-zA-Z]?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex EndsWithHouseNumber();

    [GeneratedRegex(@"^(?:[A-Z]{1,2}-)?\d{4,5}$", RegexOptions.CultureInvariant)]
    private static partial Regex Postcode();

    [GeneratedRegex(@"^(?:[A-Z]{1,2}-)?\d{4,5}\s", RegexOptions.CultureInvariant)]
    private static partial Regex StartsWithPostcode();

    [GeneratedRegex(@"^(?:[A-Z]{1,2}-)?\d{4,5}\s+\p{L}[\p{L} .\-/()']*$", RegexOptions.CultureInvariant)]
    private static partial Regex PostcodeAndTown();

    [GeneratedRegex(@"^\p{L}[\p{L} .\-/()']*$", RegexOptions.CultureInvariant)]
    private static partial Regex TownName();

    [GeneratedRegex(@"^\p{L}[\p{L}.\-' ]*\p{L}\.?\s\d{1,4}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,4}\s?[a-zA-Z]?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex StreetWithNumber();

    [GeneratedRegex(@"(?:stra(?:ß|ss)e|str\.|weg|gasse|allee|platz|damm|ufer|chaussee|pfad|steig|stieg)(?:\s\d{1,4}\s?[a-zA-Z]?)?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex StreetWord();
}
