using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Extracts <c>Label: value</c> pairs from an alarm text. A value runs from the colon to the end of its line or to the
/// next known label on the same line, whichever comes first (dispatch centres that put all fields on one line). A label
/// alone on its line, with or without a colon, takes the next line, unless that line is empty or starts with a label (HTML
/// mails with a <c>&lt;br&gt;</c> or two <c>&lt;div&gt;</c>s between label and value). A label at the start of a line
/// followed by a tab or at least two spaces instead of a colon is a label too (fixed-width printouts with a column of
/// labels), unless what follows is another label (a header line of column names). Spaces, tabs, no-break spaces and dot
/// leaders (<c>Einsatznummer.....: 2026-1</c>) may precede the colon. The first non-empty value of each label wins. Labels
/// match case-insensitively and only at a word start that is not the tail of a hyphenated word (<c>E-Mail-Adresse:</c>); the spellings of <see cref="LabelAliases"/> read as their label
/// (<c>Strasse</c> as <c>Straße</c>, <c>Einsatz-Nr.</c> as <c>Einsatznummer</c>).
/// </summary>
public sealed class LabelExtractor
{
    private const int MaxCachedPatterns = 256;
    private readonly ConcurrentDictionary<string, Regex> _patterns = new(StringComparer.Ordinal);

    /// <summary>Extracts the values of <paramref name="labels"/> from <paramref name="text"/>.</summary>
    /// <param name="text">The alarm text.</param>
    /// <param name="labels">The labels to look for (canonical spelling).</param>
    /// <param name="timeout">The regular expression's time limit.</param>
    /// <returns>Canonical label → value, in the order of <paramref name="labels"/>.</returns>
    /// <exception cref="RegexMatchTimeoutException">The text took longer than <paramref name="timeout"/>.</exception>
    public IReadOnlyDictionary<string, string> Extract(string text, IReadOnlyList<string> labels, TimeSpan timeout)
    {
        var regex = Pattern(labels, timeout);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var matches = regex.Matches(text);
        for (var i = 0; i < matches.Count; i++)
        {
            var match = matches[i];
            var label = Canonical(match.Groups["label"].Value, labels);
            if (label is null || found.ContainsKey(label))
            {
                continue;
            }

            var start = match.Index + match.Length;
            var (end, nextLabelOnLine) = ValueEnd(text, start, matches, i);
            var value = Clean(text[start..end]);
            if (match.Groups["column"].Success && StartsWithLabel(regex, value, labels))
            {
                // A line of column names ("Straße      Ort      Objekt"), not a label and its value.
                continue;
            }

            if (value.Length == 0 && !nextLabelOnLine && end < text.Length)
            {
                // The label alone on its line (HTML "<b>Einsatznummer:</b><br>2026-1", label and value in two <div>s):
                // the value is the next line, unless that line is empty or starts with a label of its own.
                var nextStart = end + 1;
                var (nextEnd, _) = ValueEnd(text, nextStart, matches, i);
                var startsWithLabel = i + 1 < matches.Count && matches[i + 1].Index < nextEnd
                    && text.AsSpan(nextStart, matches[i + 1].Index - nextStart).IsWhiteSpace();
                if (!startsWithLabel && !IsSeparator(text.AsSpan(nextStart, nextEnd - nextStart)))
                {
                    value = Clean(text[nextStart..nextEnd]);
                }
            }

            if (value.Length > 0)
            {
                found[label] = value;
            }
        }

        return labels.Where(found.ContainsKey).ToDictionary(l => l, l => found[l], StringComparer.Ordinal);
    }

    /// <summary>Whether a line is a separator or section heading of a printout (<c>=====  EINSATZGRUND  =====</c>, <c>-----</c>): it starts with three equal punctuation characters.</summary>
    private static bool IsSeparator(ReadOnlySpan<char> line)
    {
        line = line.TrimStart();
        return line.Length >= 3 && (char.IsPunctuation(line[0]) || char.IsSymbol(line[0])) && line[1] == line[0] && line[2] == line[0];
    }

    /// <summary>Whether <paramref name="value"/> starts with a label spelling followed by whitespace or its end.</summary>
    private static bool StartsWithLabel(Regex regex, string value, IReadOnlyList<string> labels)
    {
        var first = regex.Match(value + ":");
        if (!first.Success || first.Index != 0)
        {
            return false;
        }

        var end = first.Groups["label"].Index + first.Groups["label"].Length;
        return Canonical(first.Groups["label"].Value, labels) is not null && (end >= value.Length || char.IsWhiteSpace(value[end]));
    }

    /// <summary>Where a value that starts at <paramref name="start"/> ends: the end of its line, or the next label on that line.</summary>
    private static (int End, bool NextLabelOnLine) ValueEnd(string text, int start, MatchCollection matches, int current)
    {
        var lineEnd = text.IndexOf('\n', start);
        var end = lineEnd < 0 ? text.Length : lineEnd;
        for (var j = current + 1; j < matches.Count; j++)
        {
            if (matches[j].Index >= start)
            {
                return matches[j].Index < end ? (matches[j].Index, true) : (end, false);
            }
        }

        return (end, false);
    }

    private static string Clean(string value) => value.Trim().TrimEnd(',', ';').Trim();

    private static string? Canonical(string matched, IReadOnlyList<string> labels)
    {
        var spaced = Spaced(matched);
        return labels.FirstOrDefault(l => string.Equals(l, spaced, StringComparison.OrdinalIgnoreCase))
            ?? labels.FirstOrDefault(l => string.Equals(l, LabelAliases.Canonical(spaced), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// A label as written with each whitespace run as one space and none around a <c>/</c>. A loop, not a regular
    /// expression: a match timeout on a busy machine would cost the mail all its labelled fields.
    /// </summary>
    private static string Spaced(string matched)
    {
        var spaced = new StringBuilder(matched.Length);
        var pendingSpace = false;
        foreach (var c in matched)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = spaced.Length > 0;
                continue;
            }

            if (pendingSpace && c != '/' && spaced[^1] != '/')
            {
                spaced.Append(' ');
            }

            pendingSpace = false;
            spaced.Append(c);
        }

        return spaced.ToString();
    }

    private Regex Pattern(IReadOnlyList<string> labels, TimeSpan timeout)
    {
        var key = timeout.Ticks + "|" + string.Join('\u001f', labels);
        if (_patterns.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (_patterns.Count >= MaxCachedPatterns)
        {
            _patterns.Clear();
        }

        var alternatives = string.Join('|', labels
            .SelectMany(LabelAliases.SpellingsOf)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(l => l.Length)
            .Select(SpellingPattern));

        // Three shapes, each a linear scan: "Label:" anywhere at a word start, but not as the tail of a hyphenated word
        // ("E-Mail-Adresse:"); a label alone on its line; a label at the start of a line followed by a tab or two spaces
        // (a column of labels) and then a value, not a colon or dot leaders (the first shape reads those). Tenant labels
        // take part in all three.
        var blank = @"[ \t\u00A0]";
        var pattern = $@"(?<![\p{{L}}\p{{N}}])(?<![\p{{L}}\p{{N}}]-)(?<label>{alternatives})[ \t\u00A0.]*:"
            + $@"|^{blank}*(?<label>{alternatives}){blank}*$"
            + $@"|^{blank}*(?<label>{alternatives})(?<column>\t|[ \u00A0]{{2,}}){blank}*(?=[^\s:.])";
        var regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Multiline, timeout);
        _patterns[key] = regex;
        return regex;
    }

    /// <summary>A spelling as a pattern: escaped, a space as any whitespace run, a <c>/</c> with optional whitespace around it.</summary>
    private static string SpellingPattern(string spelling) =>
        string.Join(@"\s+", spelling.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(word => string.Join(@"\s*/\s*", word.Split('/').Select(Regex.Escape))));
}
