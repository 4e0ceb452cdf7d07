using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Extracts <c>Label: value</c> pairs from an alarm text. A value runs from the colon to the end of its line or to the
/// next known label on the same line, whichever comes first (dispatch centres that put all fields on one line). The first
/// non-empty value of each label wins. Labels match case-insensitively and only at a word start; <c>Strasse</c> reads as
/// <c>Straße</c>.
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
            var lineEnd = text.IndexOf('\n', start);
            var end = lineEnd < 0 ? text.Length : lineEnd;
            if (i + 1 < matches.Count && matches[i + 1].Index < end)
            {
                end = matches[i + 1].Index;
            }

            var value = text[start..end].Trim().TrimEnd(',', ';').Trim();
            if (value.Length > 0)
            {
                found[label] = value;
            }
        }

        return labels.Where(found.ContainsKey).ToDictionary(l => l, l => found[l], StringComparer.Ordinal);
    }

    private static string? Canonical(string matched, IReadOnlyList<string> labels)
    {
        var spaced = Regex.Replace(matched, @"\s+", " ", RegexOptions.None, TimeSpan.FromMilliseconds(100));
        if (string.Equals(spaced, "Strasse", StringComparison.OrdinalIgnoreCase))
        {
            spaced = AlarmLabels.Strasse;
        }

        return labels.FirstOrDefault(l => string.Equals(l, spaced, StringComparison.OrdinalIgnoreCase));
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

        var alternatives = labels
            .SelectMany(l => l == AlarmLabels.Strasse ? new[] { l, "Strasse" } : [l])
            .OrderByDescending(l => l.Length)
            .Select(l => string.Join(@"\s+", l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape)));
        var pattern = $@"(?<![\p{{L}}\p{{N}}])(?<label>{string.Join('|', alternatives)})[ \t]*:";
        var regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, timeout);
        _patterns[key] = regex;
        return regex;
    }
}
