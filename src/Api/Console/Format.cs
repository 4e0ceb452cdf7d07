using System.Globalization;

namespace AlarmInbox.Api.Console;

/// <summary>How the console shows times: in the server's local time zone, in the user's culture.</summary>
public static class Format
{
    /// <summary>Date and time to the second in the culture's general pattern (07.12.2026 02:29:11, 12/7/2026 2:29:11 AM), or an empty string.</summary>
    public static string Time(DateTimeOffset? value) =>
        value is { } v ? v.ToLocalTime().ToString("G", CultureInfo.CurrentCulture) : "";
}
