using System.Text;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Decodes a raw header value (RFC 5322 unstructured text with RFC 2047 encoded words) with <see cref="CharsetRepair"/>:
/// each run of adjacent encoded words of one charset is decoded as one byte sequence (a multi-byte character may be split
/// over two words), whitespace between encoded words is dropped (RFC 2047 section 6.2), raw 8-bit text is UTF-8 when
/// valid, else Windows-1252.
/// </summary>
public static class HeaderText
{
    /// <summary>The longest encoded word read, in bytes (RFC 2047 allows 75; broken encoders write longer ones).</summary>
    private const int MaxEncodedWordLength = 1000;

    /// <summary>Decodes a raw header value (the bytes after the colon, folded or not).</summary>
    public static string Decode(ReadOnlySpan<byte> raw)
    {
        var result = new StringBuilder(raw.Length);
        var pending = new List<byte>();
        string? pendingCharset = null;
        var i = 0;
        var lastWasEncodedWord = false;
        var whitespace = new List<byte>();
        while (i < raw.Length)
        {
            if (TryReadEncodedWord(raw, i, out var end, out var charset, out var bytes))
            {
                if (!lastWasEncodedWord || pendingCharset is null || !string.Equals(pendingCharset, charset, StringComparison.OrdinalIgnoreCase))
                {
                    Flush(result, pending, pendingCharset);
                    if (!lastWasEncodedWord)
                    {
                        AppendRaw(result, whitespace);
                    }

                    pendingCharset = charset;
                }

                whitespace.Clear();
                pending.AddRange(bytes);
                lastWasEncodedWord = true;
                i = end;
                continue;
            }

            var b = raw[i];
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                whitespace.Add(b);
                i++;
                continue;
            }

            // Ordinary text: the whitespace before it counts, and any pending encoded words end here.
            Flush(result, pending, pendingCharset);
            pendingCharset = null;
            AppendRaw(result, whitespace);
            whitespace.Clear();
            var start = i;
            while (i < raw.Length && raw[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') && !(raw[i] == '=' && i + 1 < raw.Length && raw[i + 1] == '?'))
            {
                i++;
            }

            if (i == start)
            {
                // "=?" that does not start a valid encoded word: literal text.
                i += 2;
            }

            AppendRaw(result, raw[start..Math.Min(i, raw.Length)]);
            lastWasEncodedWord = false;
        }

        Flush(result, pending, pendingCharset);
        AppendRaw(result, whitespace);
        return Unfold(result.ToString());
    }

    private static string Unfold(string value)
    {
        // RFC 5322 section 2.2.3: a fold is CRLF before whitespace; the line break itself is not part of the value.
        var unfolded = value.Replace("\r\n", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal);
        return unfolded.Trim();
    }

    private static void Flush(StringBuilder result, List<byte> pending, string? charset)
    {
        if (pending.Count > 0)
        {
            result.Append(CharsetRepair.Decode(pending.ToArray(), charset));
            pending.Clear();
        }
    }

    private static void AppendRaw(StringBuilder result, List<byte> bytes)
    {
        if (bytes.Count > 0)
        {
            AppendRaw(result, bytes.ToArray());
        }
    }

    private static void AppendRaw(StringBuilder result, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        // Raw 8-bit header text (RFC 6532 allows UTF-8; older software sends its local code page, or both mixed).
        result.Append(CharsetRepair.Decode(bytes, null));
    }

    /// <summary>
    /// Reads <c>=?charset?B|Q?text?=</c> at <paramref name="start"/> (RFC 2047 section 2). Tolerates what broken encoders
    /// write: spaces inside Q text (read as spaces) and a fold inside the word (CRLF and the blank after it are dropped).
    /// A word longer than <see cref="MaxEncodedWordLength"/> bytes is not one, so reading a header stays linear.
    /// </summary>
    private static bool TryReadEncodedWord(ReadOnlySpan<byte> raw, int start, out int end, out string charset, out byte[] bytes)
    {
        end = start;
        charset = "";
        bytes = [];
        if (start + 8 > raw.Length || raw[start] != '=' || raw[start + 1] != '?')
        {
            return false;
        }

        var window = raw[start..Math.Min(raw.Length, start + MaxEncodedWordLength)];
        var charsetEnd = window[2..].IndexOf((byte)'?');
        if (charsetEnd <= 0 || charsetEnd > 64)
        {
            return false;
        }

        var encodingAt = 2 + charsetEnd + 1;
        if (encodingAt + 2 >= window.Length || window[encodingAt + 1] != '?')
        {
            return false;
        }

        var encoding = (char)(window[encodingAt] | 0x20);
        var textStart = encodingAt + 2;
        var textLength = window[textStart..].IndexOf("?="u8);
        if (textLength < 0 || (encoding != 'b' && encoding != 'q'))
        {
            return false;
        }

        var text = RemoveFolds(window.Slice(textStart, textLength));
        if (text is null)
        {
            return false;
        }

        charset = Encoding.ASCII.GetString(window.Slice(2, charsetEnd));
        bytes = encoding == 'b' ? DecodeBase64(text) : DecodeQ(text);
        end = start + textStart + textLength + 2;
        return true;
    }

    /// <summary>The encoded text without folds (CRLF or LF and the blank after it); <see langword="null"/> when it holds a line break that is not a fold.</summary>
    private static byte[]? RemoveFolds(ReadOnlySpan<byte> text)
    {
        var result = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is (byte)'\r' or (byte)'\n')
            {
                var next = i + (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1);
                if (next >= text.Length || text[next] is not ((byte)' ' or (byte)'\t'))
                {
                    return null;
                }

                i = next;
                continue;
            }

            result.Add(c);
        }

        return [.. result];
    }

    private static byte[] DecodeBase64(byte[] text)
    {
        var chars = Encoding.ASCII.GetString(text).Replace(" ", "", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal).TrimEnd('=');
        var padded = chars + new string('=', (4 - chars.Length % 4) % 4);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return Encoding.ASCII.GetBytes(chars);
        }
    }

    private static byte[] DecodeQ(byte[] text)
    {
        var result = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '_')
            {
                result.Add((byte)' ');
            }
            else if (c == (byte)'=' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                result.Add((byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else
            {
                result.Add(c);
            }
        }

        return [.. result];
    }

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
