using System.Buffers;
using System.Text;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Decodes bytes that are UTF-8 with stray single-byte characters in them — a UTF-8 template with one field pasted in
/// from a Latin-1 database (<c>Stra\xDFe</c> next to <c>\xC3\xA4</c>), or the reverse — sequence by sequence: every valid
/// UTF-8 sequence (RFC 3629) as UTF-8, every byte that starts no valid sequence as one character of a single-byte
/// fallback charset (Windows-1252 unless the part declares another single-byte charset).
/// </summary>
/// <remarks>
/// Linear in the input. Text written in a single-byte charset can hold a valid UTF-8 sequence only by accident (a
/// letter such as <c>ß</c> followed by a symbol such as <c>“</c>); such accidents decode to characters from other scripts,
/// so <see cref="Analyse"/> reports whether every sequence found decodes to a character a German or European alarm mail
/// plausibly holds (<see cref="IsPlausible"/>), and callers only decode sequence by sequence when all of them do.
/// </remarks>
public static class MixedUtf8
{
    private static readonly string Windows1252High = HighHalf(CodePages.Windows1252)!;

    /// <summary>Counts the valid multi-byte UTF-8 sequences and the bytes that start no valid sequence.</summary>
    /// <param name="bytes">The bytes to look at.</param>
    /// <returns>The counts, and whether every multi-byte sequence decodes to a plausible character.</returns>
    public static Utf8Analysis Analyse(ReadOnlySpan<byte> bytes)
    {
        var sequences = 0;
        var invalid = 0;
        var plausible = true;
        var i = 0;
        while (i < bytes.Length)
        {
            var ascii = bytes[i..].IndexOfAnyInRange((byte)0x80, (byte)0xFF);
            if (ascii < 0)
            {
                break;
            }

            i += ascii;
            if (Rune.DecodeFromUtf8(bytes[i..], out var rune, out var consumed) == OperationStatus.Done)
            {
                sequences++;
                plausible &= IsPlausible(rune) || (i == 0 && rune.Value == 0xFEFF);
                i += consumed;
            }
            else
            {
                invalid++;
                i++;
            }
        }

        return new Utf8Analysis(sequences, invalid, plausible);
    }

    /// <summary>Decodes <paramref name="bytes"/> sequence by sequence (see the class summary); a leading byte order mark is dropped.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="fallback">The charset of bytes that start no valid UTF-8 sequence; Windows-1252 when it is not a single-byte charset.</param>
    /// <returns>The text.</returns>
    public static string Decode(ReadOnlySpan<byte> bytes, Encoding fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        string? high = null;
        Span<char> chars = stackalloc char[2];
        var result = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var ascii = bytes[i..].IndexOfAnyInRange((byte)0x80, (byte)0xFF);
            var run = ascii < 0 ? bytes.Length - i : ascii;
            if (run > 0)
            {
                result.Append(Encoding.ASCII.GetString(bytes.Slice(i, run)));
                i += run;
                continue;
            }

            if (Rune.DecodeFromUtf8(bytes[i..], out var rune, out var consumed) == OperationStatus.Done)
            {
                result.Append(chars[..rune.EncodeToUtf16(chars)]);
                i += consumed;
            }
            else
            {
                high ??= ReferenceEquals(fallback, CodePages.Windows1252) ? Windows1252High : HighHalf(fallback) ?? Windows1252High;
                result.Append(high[bytes[i] - 0x80]);
                i++;
            }
        }

        return result.ToString();
    }

    /// <summary>
    /// Whether <paramref name="rune"/> is a character a single-byte alarm mail plausibly meant: Latin-1 Supplement and Latin
    /// Extended (U+00A0–U+024F, U+1E00–U+1EFF), general punctuation (U+2000–U+206F: dashes, quotes, ellipsis), currency
    /// (U+20A0–U+20CF) and letterlike symbols (U+2100–U+214F).
    /// </summary>
    public static bool IsPlausible(Rune rune) =>
        rune.Value is >= 0xA0 and <= 0x24F or >= 0x1E00 and <= 0x1EFF or >= 0x2000 and <= 0x206F or >= 0x20A0 and <= 0x20CF or >= 0x2100 and <= 0x214F;

    /// <summary>The characters of bytes 0x80–0xFF in <paramref name="encoding"/>, or <see langword="null"/> when it is not a single-byte charset.</summary>
    private static string? HighHalf(Encoding encoding)
    {
        if (!encoding.IsSingleByte)
        {
            return null;
        }

        Span<byte> high = stackalloc byte[128];
        for (var b = 0; b < 128; b++)
        {
            high[b] = (byte)(0x80 + b);
        }

        var text = encoding.GetString(high);
        return text.Length == 128 ? text : null;
    }
}
