using System.Globalization;
using System.Text.RegularExpressions;
using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Parses a <c>Koordinaten</c> value into WGS 84 decimal degrees: latitude first, then longitude, separated by a comma,
/// semicolon, slash or space; decimal point or (when no point occurs) decimal comma; optional hemisphere letters
/// (<c>N</c>/<c>S</c>, <c>E</c>/<c>O</c>/<c>W</c>) and degree signs. <c>49.412345, 8.694321</c>, <c>N 49,4123 E 8,6943</c>.
/// </summary>
public static partial class PositionParser
{
    /// <summary>Parses <paramref name="value"/>; <see langword="null"/> when it holds no valid pair.</summary>
    public static GeoPosition? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 200)
        {
            return null;
        }

        var decimalComma = !value.Contains('.');
        var numbers = (decimalComma ? CommaNumber() : PointNumber()).Matches(value);
        if (numbers.Count < 2)
        {
            return null;
        }

        var lat = double.Parse(numbers[0].Value.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture);
        var lon = double.Parse(numbers[1].Value.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture);
        var letters = Hemisphere().Matches(value.ToUpperInvariant()).Select(m => m.Value).ToList();
        if (letters.Contains("S"))
        {
            lat = -Math.Abs(lat);
        }

        if (letters.Contains("W"))
        {
            lon = -Math.Abs(lon);
        }

        return Create(lat, lon);
    }

    /// <summary>Returns a position when both values are in range, else <see langword="null"/>.</summary>
    public static GeoPosition? Create(double latitude, double longitude) =>
        latitude is >= -90 and <= 90 && longitude is >= -180 and <= 180 && !(latitude == 0 && longitude == 0)
            ? new GeoPosition(Math.Round(latitude, 7), Math.Round(longitude, 7))
            : null;

    [GeneratedRegex(@"[-+]?\d{1,3}(?:\.\d+)?", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex PointNumber();

    [GeneratedRegex(@"[-+]?\d{1,3}(?:,\d+)?", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex CommaNumber();

    [GeneratedRegex(@"(?<![A-Z])[NSEOW](?![A-Z])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Hemisphere();
}
