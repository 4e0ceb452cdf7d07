using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// The labels read from every alarm text (<see cref="AlarmLabels.Read"/>) and their <see cref="LabelAliases"/>, as the decoder
/// uses them to judge which table row is a row of labels and which bold text or paragraph is a label; which alternative of
/// a mail carries the alarm is judged by the built-in labels (<see cref="AlarmLabels.BuiltIn"/>) alone. Tenant labels are
/// not known when a mail is decoded. Linear scans, no regular expressions.
/// </summary>
internal static class KnownLabels
{
    private static readonly string[] Spellings = [.. AlarmLabels.Read.SelectMany(LabelAliases.SpellingsOf).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Whether a table cell's text is a known label, with or without a trailing colon.</summary>
    public static bool IsLabel(string cell)
    {
        var text = cell.AsSpan().Trim().TrimEnd(':').TrimEnd();
        if (text.Length == 0 || text.Length > 32)
        {
            return false;
        }

        foreach (var spelling in Spellings)
        {
            if (SameIgnoringSpaces(text, spelling))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// How many different built-in labels <paramref name="text"/> writes as a label: at a word start, followed by optional
    /// spaces, tabs, no-break spaces or dots and a colon (the rule of the label extractor). Looks at the first <paramref name="maxChars"/> characters.
    /// </summary>
    public static int CountWritten(string text, int maxChars)
    {
        var span = text.AsSpan(0, Math.Min(text.Length, maxChars));
        var count = 0;
        foreach (var label in AlarmLabels.BuiltIn)
        {
            foreach (var spelling in LabelAliases.SpellingsOf(label))
            {
                if (IsWritten(span, spelling))
                {
                    count++;
                    break;
                }
            }
        }

        return count;
    }

    private static bool IsWritten(ReadOnlySpan<char> text, string spelling)
    {
        var from = 0;
        while (from < text.Length)
        {
            var at = text[from..].IndexOf(spelling, StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                return false;
            }

            at += from;
            var end = at + spelling.Length;
            if (at == 0 || !char.IsLetterOrDigit(text[at - 1]))
            {
                while (end < text.Length && text[end] is ' ' or '\t' or '\u00A0' or '.')
                {
                    end++;
                }

                if (end < text.Length && text[end] == ':')
                {
                    return true;
                }
            }

            from = at + 1;
        }

        return false;
    }

    /// <summary>Equal case-insensitively, any run of whitespace in <paramref name="text"/> matching one space of <paramref name="spelling"/>.</summary>
    private static bool SameIgnoringSpaces(ReadOnlySpan<char> text, string spelling)
    {
        var i = 0;
        var j = 0;
        while (i < text.Length && j < spelling.Length)
        {
            if (spelling[j] == '/')
            {
                // "Straße / Hausnummer" is "Straße/Hausnummer".
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                if (i == text.Length || text[i] != '/')
                {
                    return false;
                }

                i++;
                j++;
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                continue;
            }

            if (char.IsWhiteSpace(text[i]) && spelling[j] == ' ')
            {
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                j++;
                continue;
            }

            if (char.ToUpperInvariant(text[i]) != char.ToUpperInvariant(spelling[j]))
            {
                return false;
            }

            i++;
            j++;
        }

        return i == text.Length && j == spelling.Length;
    }
}
