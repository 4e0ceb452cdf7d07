using System.Globalization;

namespace AlarmInbox.Api.Console;

/// <summary>How the console shows times: in the server's local time zone, in the user's culture.</summary>
public static class Format
{
    /// <summary>Date and time to the second, or an empty string.</summary>
    public static string Time(DateTimeOffset? value) =>
        value is { } v ? v.ToLocalTime().ToString("g", CultureInfo.CurrentCulture) + v.ToLocalTime().ToString(":ss", CultureInfo.CurrentCulture) : "";
}
