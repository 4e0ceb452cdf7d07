using System.Text;
using System.Text.Unicode;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Turns the bytes of a text part or of an encoded word into text, repairing the charset mistakes mail software makes:
/// UTF-8 bytes declared as a single-byte charset (US-ASCII, ISO-8859-x, Windows-125x) are decoded as UTF-8 when they are
/// valid UTF-8 and hold at least one multi-byte sequence; bytes declared UTF-8 (or undeclared) that are not valid UTF-8
/// are decoded sequence by sequence (<see cref="MixedUtf8"/>: valid sequences as UTF-8, stray bytes as Windows-1252), or
/// wholly as Windows-1252 when they hold no plausible UTF-8 sequence; bytes declared single-byte that are mostly UTF-8
/// with a few stray bytes are decoded sequence by sequence too. ISO-8859-1 and US-ASCII are read as their superset
/// Windows-1252. A UTF-16 byte order mark wins over the declared charset. Every other declared charset is honoured.
/// </summary>
public static class CharsetRepair
{
    private static readonly Encoding Windows1252 = CodePages.Windows1252;

    /// <summary>Decodes <paramref name="bytes"/> declared as <paramref name="declaredCharset"/> (RFC 2046 section 4.1.2 name; <see langword="null"/> when none).</summary>
    /// <returns>The text; a leading UTF-8 byte order mark is dropped.</returns>
    public static string Decode(ReadOnlySpan<byte> bytes, string? declaredCharset)
    {
        // A byte order mark names the charset whatever the label says (as browsers decode, WHATWG Encoding Standard):
        // Windows dispatch software writes UTF-16 with a BOM and labels it ISO-8859-1, or not at all.
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) && !bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            return Encoding.Unicode.GetString(bytes[2..]);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode.GetString(bytes[2..]);
        }

        var charset = CharsetNames.Normalise(declaredCharset);
        var isUtf8 = Utf8.IsValid(bytes);
        if (charset.Length == 0 || charset == "utf-8" || (charset == "us-ascii" && !isUtf8))
        {
            // Undeclared or UTF-8: UTF-8 when valid, else what German mail software most likely meant.
            return isUtf8 ? DecodeUtf8(bytes) : DecodeInvalidUtf8(bytes, Windows1252);
        }

        var declared = CharsetNames.IsWindows1252Subset(charset) ? Windows1252 : TryGetEncoding(charset);
        if (IsSingleByte(charset))
        {
            if (isUtf8 && bytes.ContainsAnyInRange((byte)0x80, (byte)0xFF))
            {
                return DecodeUtf8(bytes);
            }

            var fallback = declared is { IsSingleByte: true } ? declared : Windows1252;
            if (!isUtf8)
            {
                // Declared single-byte, but mostly UTF-8 with a few stray bytes (many "Ã¤" pairs): sequence by sequence.
                var analysis = MixedUtf8.Analyse(bytes);
                if (analysis.AllPlausible && analysis.MultiByteSequences > analysis.InvalidBytes)
                {
                    return MixedUtf8.Decode(bytes, fallback);
                }
            }

            return fallback.GetString(bytes);
        }

        if (declared is not null)
        {
            return declared.GetString(bytes);
        }

        // An unknown charset name: the same guess as for an undeclared one.
        return isUtf8 ? DecodeUtf8(bytes) : DecodeInvalidUtf8(bytes, Windows1252);
    }

    /// <summary>Whether <paramref name="charset"/> (normalised) names a single-byte charset whose label is often wrong: US-ASCII, ISO-8859-x, Windows-125x.</summary>
    internal static bool IsSingleByte(string charset) =>
        charset == "us-ascii"
        || charset.StartsWith("iso-8859-", StringComparison.Ordinal)
        || charset.StartsWith("windows-125", StringComparison.Ordinal);

    /// <summary>Bytes meant as UTF-8 that are not valid UTF-8: sequence by sequence when they hold plausible UTF-8 sequences, else wholly <paramref name="fallback"/>.</summary>
    private static string DecodeInvalidUtf8(ReadOnlySpan<byte> bytes, Encoding fallback)
    {
        var analysis = MixedUtf8.Analyse(bytes);
        return analysis.MultiByteSequences > 0 && analysis.AllPlausible ? MixedUtf8.Decode(bytes, fallback) : fallback.GetString(bytes);
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
