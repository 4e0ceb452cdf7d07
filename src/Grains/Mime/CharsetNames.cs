namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Normalises the charset names mail software writes into the names .NET knows: quotes, case, an RFC 2231 language
/// suffix, <c>_</c> for <c>-</c>, and the aliases seen in real mails (<c>utf8</c>, <c>UTF_8</c>, <c>latin1</c>,
/// <c>iso8859-15</c>, <c>cp1252</c>, <c>win-1250</c>, <c>ANSI_X3.4-1968</c>, …).
/// </summary>
internal static class CharsetNames
{
    /// <summary>The normalised name: lower case, e.g. <c>utf-8</c>, <c>us-ascii</c>, <c>iso-8859-1</c>, <c>windows-1252</c>; "" when none.</summary>
    public static string Normalise(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset))
        {
            return "";
        }

        var value = charset.Trim().Trim('"', '\'').Trim().ToLowerInvariant().Replace('_', '-');

        // RFC 2231 section 5: a language may follow the charset of an encoded word ("iso-8859-1*de").
        var star = value.IndexOf('*');
        if (star >= 0)
        {
            value = value[..star];
        }

        switch (value)
        {
            case "utf8" or "utf-8" or "x-utf8" or "x-utf-8" or "unicode-1-1-utf-8" or "unicode-2-0-utf-8" or "x-unicode20utf8":
                return "utf-8";
            case "ascii" or "us" or "us-ascii" or "usascii" or "ansi-x3.4-1968" or "ansi-x3.4-1986" or "iso646-us" or "iso-646.irv:1991" or "iso-ir-6" or "cp367" or "ibm367" or "csascii":
                return "us-ascii";
            case "latin1" or "latin-1" or "l1" or "iso-8859-1:1987" or "iso-ir-100" or "cp819" or "ibm819" or "csisolatin1" or "iso8859-1" or "iso88591":
                return "iso-8859-1";
            case "latin2" or "latin-2" or "l2" or "iso8859-2" or "iso88592":
                return "iso-8859-2";
            case "latin9" or "latin-9" or "l9" or "iso8859-15" or "iso885915":
                return "iso-8859-15";
        }

        if (value.StartsWith("iso8859-", StringComparison.Ordinal))
        {
            return "iso-8859-" + value["iso8859-".Length..];
        }

        // cp1252, x-cp1252, win-1252, windows1252, ms-1252 → windows-1252 (likewise 1250 to 1258).
        foreach (var prefix in (ReadOnlySpan<string>)["x-cp", "cp", "win-", "windows", "ms-", "x-windows-"])
        {
            if (value.StartsWith(prefix, StringComparison.Ordinal))
            {
                var number = value[prefix.Length..].TrimStart('-');
                if (number.Length == 4 && number.StartsWith("125", StringComparison.Ordinal) && char.IsAsciiDigit(number[3]))
                {
                    return "windows-" + number;
                }
            }
        }

        return value;
    }

    /// <summary>Whether <paramref name="normalised"/> is US-ASCII or ISO-8859-1, which are decoded as their superset Windows-1252 (as browsers do, WHATWG Encoding Standard).</summary>
    public static bool IsWindows1252Subset(string normalised) => normalised is "us-ascii" or "iso-8859-1";
}
