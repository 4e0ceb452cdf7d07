using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using AlarmInbox.Api.Alarms;
using Microsoft.Extensions.Localization;

namespace AlarmInbox.Api.Console;

/// <summary>What the rule tester shows of an evaluation: the fields with their sources, what decided, and the mail text with each value marked.</summary>
public static class RuleTesterView
{
    /// <summary>The keyword first, then every field, each with its source in words.</summary>
    public static IReadOnlyList<FieldRow> Rows(EvaluateResponse result, IStringLocalizer text)
    {
        var rows = new List<FieldRow>();
        if (result.Keyword is { } keyword)
        {
            rows.Add(new FieldRow("keyword", text["Rules.Keyword"], keyword, Source(result.FieldSources.GetValueOrDefault("keyword"), text)));
        }

        foreach (var (name, value) in result.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            rows.Add(new FieldRow(name, name, value, Source(result.FieldSources.GetValueOrDefault(name), text)));
        }

        return rows;
    }

    /// <summary>The sender check, the rejection, and the rules that matched or failed, as sentences.</summary>
    public static IReadOnlyList<string> Decision(EvaluateResponse result, IStringLocalizer text)
    {
        var lines = new List<string>();
        if (result.MatchedSender is { } sender)
        {
            lines.Add(Format(text["Rules.SenderAllowed"], sender));
        }
        else if (result.Settings.AllowedSenders.Count == 0)
        {
            lines.Add(text["Rules.EverySender"]);
        }

        if (result.OriginalFrom is { } original)
        {
            lines.Add(Format(text["Rules.Forwarded"], original));
        }

        if (result.Rejection is { } rejection)
        {
            var words = text["Rejection." + rejection.Code] is { ResourceNotFound: false } known ? known.Value : rejection.Code;
            lines.Add($"{words} {rejection.Message}");
        }

        lines.AddRange(result.MatchedRules.Select(rule => Format(text["Rules.RuleMatched"], rule)));
        lines.AddRange(result.RuleErrors.Select(error => Format(text["Rules.RuleFailed"], error.Rule, error.Message)));
        if (result.Settings.TestMode)
        {
            lines.Add(text["Rules.TestMode"]);
        }

        return lines;
    }

    /// <summary>The text, HTML-encoded, with the first occurrence of each value in a <c>mark</c> naming its field.</summary>
    public static string Highlight(string mail, IReadOnlyList<FieldRow> rows)
    {
        var marks = new List<(int Start, int Length, string Name)>();
        foreach (var row in rows.Where(r => r.Value.Length > 0))
        {
            var from = 0;
            while (from < mail.Length)
            {
                var at = mail.IndexOf(row.Value, from, StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    break;
                }

                if (!marks.Any(m => at < m.Start + m.Length && m.Start < at + row.Value.Length))
                {
                    marks.Add((at, row.Value.Length, row.Key));
                    break;
                }

                from = at + 1;
            }
        }

        var e = HtmlEncoder.Default;
        var html = new StringBuilder();
        var position = 0;
        foreach (var (start, length, name) in marks.OrderBy(m => m.Start))
        {
            html.Append(e.Encode(mail[position..start]));
            html.Append(CultureInfo.InvariantCulture, $"<mark data-source=\"{e.Encode(name)}\" title=\"{e.Encode(name)}\">{e.Encode(mail.Substring(start, length))}</mark>");
            position = start + length;
        }

        html.Append(e.Encode(mail[position..]));
        return html.ToString();
    }

    private static string Source(string? source, IStringLocalizer text) => source switch
    {
        null => "",
        "label" => text["Source.Label"],
        "subject" => text["Source.Subject"],
        _ when source.StartsWith("label:", StringComparison.Ordinal) => Format(text["Source.KeywordLabel"], source["label:".Length..]),
        _ when source.StartsWith("rule:", StringComparison.Ordinal) => Format(text["Source.Rule"], source["rule:".Length..]),
        _ when source.StartsWith("xml:", StringComparison.Ordinal) => Format(text["Source.Xml"], source["xml:".Length..]),
        _ => source,
    };

    private static string Format(string template, params object[] values) => string.Format(CultureInfo.CurrentCulture, template, values);
}
