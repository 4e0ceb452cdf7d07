using System.Text;
using System.Text.Unicode;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Turns the bytes of a text part or of an encoded word into text, repairing the two charset mistakes mail software
/// makes: UTF-8 bytes declared as a single-byte charset (US-ASCII, ISO-8859-x, Windows-125x) are decoded as UTF-8 when
/// they are valid UTF-8 and hold at least one multi-byte sequence; bytes declared UTF-8 (or undeclared) that are not
/// valid UTF-8 are decoded as Windows-1252. Every other declared charset is honoured.
/// </summary>
public static class CharsetRepair
{
    private static readonly Encoding Windows1252 = CodePages.Windows1252;

    /// <summary>Decodes <paramref name="bytes"/> declared as <paramref name="declaredCharset"/> (RFC 2046 section 4.1.2 name; <see langword="null"/> when none).</summary>
    /// <returns>The text; a leading UTF-8 byte order mark is dropped.</returns>
    public static string Decode(ReadOnlySpan<byte> bytes, string? declaredCharset)
    {
        var charset = Normalise(declaredCharset);
        var isUtf8 = Utf8.IsValid(bytes);
        if (charset.Length == 0 || charset is "utf-8" or "utf8" || (charset == "us-ascii" && !isUtf8))
        {
            // Undeclared or UTF-8: UTF-8 when valid, else what German mail software most likely meant.
            return isUtf8 ? DecodeUtf8(bytes) : Windows1252.GetString(bytes);
        }

        if (IsSingleByte(charset))
        {
            if (isUtf8 && bytes.ContainsAnyInRange((byte)0x80, (byte)0xFF))
            {
                return DecodeUtf8(bytes);
            }

            return (TryGetEncoding(charset) ?? Windows1252).GetString(bytes);
        }

        if (TryGetEncoding(charset) is { } declared)
        {
            return declared.GetString(bytes);
        }

        // An unknown charset name: the same guess as for an undeclared one.
        return isUtf8 ? DecodeUtf8(bytes) : Windows1252.GetString(bytes);
    }

    /// <summary>Whether <paramref name="charset"/> (normalised) names a single-byte charset whose label is often wrong: US-ASCII, ISO-8859-x, Windows-125x and their aliases.</summary>
    internal static bool IsSingleByte(string charset) =>
        charset is "us-ascii" or "ascii" or "latin1" or "latin-1" or "l1" or "iso_8859-1" or "cp819"
        || charset.StartsWith("iso-8859-", StringComparison.Ordinal)
        || charset.StartsWith("iso8859-", StringComparison.Ordinal)
        || charset.StartsWith("windows-125", StringComparison.Ordinal)
        || charset.StartsWith("cp125", StringComparison.Ordinal)
        || charset.StartsWith("x-cp125", StringComparison.Ordinal);

    private static string Normalise(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset))
        {
            return "";
        }

        var value = charset.Trim().Trim('"').ToLowerInvariant();

        // RFC 2231 section 5: a language may follow the charset of an encoded word ("iso-8859-1*de").
        var star = value.IndexOf('*');
        return star >= 0 ? value[..star] : value;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes) =>
        Encoding.UTF8.GetString(bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes);

    private static Encoding? TryGetEncoding(string charset)
    {
        try
        {
            return Encoding.GetEncoding(charset);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
