using System.Text;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// The label layouts of an HTML body that carry no colon, as <see cref="HtmlTextRenderer"/> meets them: a bold known label
/// at the start of a line (<c>&lt;b&gt;Stichwort&lt;/b&gt; B3</c>, <c>&lt;strong&gt;Einsatzort&lt;/strong&gt;&lt;br&gt;…</c>,
/// a <c>span</c> styled bold) gets its colon; a definition list's term gets a colon and its first definition on the same
/// line (<c>&lt;dt&gt;Einsatznummer&lt;/dt&gt;&lt;dd&gt;2026-1&lt;/dd&gt;</c> reads <c>Einsatznummer: 2026-1</c>); a paragraph
/// that holds only a known label is followed by its value's paragraph without a blank line between (Outlook writes every
/// line as a paragraph), unless an empty paragraph separates them. A bold label's colon is added when text follows in the
/// same cell (or outside tables) that does not start with a colon of its own; in a table row the cells are paired as before.
/// One per rendering; every check looks at a bounded number of characters, so the rendering stays linear.
/// </summary>
internal sealed class InlineLabels
{
    /// <summary>The longest bold text or definition term looked at as a label.</summary>
    private const int MaxLabelLength = 64;

    /// <summary>The most characters between a bold label and the text after it for the label to get its colon.</summary>
    private const int MaxGapAfterLabel = 8;

    /// <summary>The most nested <c>span</c>/<c>font</c> elements tracked; deeper ones are not looked at.</summary>
    private const int MaxSpanDepth = 64;

    private readonly List<bool> _spans = [];
    private int _untrackedSpans;
    private StringBuilder? _boldOutput;
    private int _boldStart;
    private int _boldDepth;
    private StringBuilder? _pendingOutput;
    private int _pendingAt;
    private StringBuilder? _termOutput;
    private int _termStart;
    private StringBuilder? _afterTermOutput;
    private int _afterTermAt;
    private StringBuilder? _labelLineOutput;
    private int _labelLineEnd;
    private int _paragraphsSinceLabel;

    /// <summary>
    /// Before a data token is written to <paramref name="output"/>: a bold label waiting for its colon gets it unless the
    /// text goes on with a colon of its own (<c>&lt;b&gt;Ort&lt;/b&gt;: X</c>). Text in another cell drops the wait: a table
    /// row pairs its cells itself.
    /// </summary>
    public void BeforeText(string data, StringBuilder output)
    {
        if (_pendingOutput is null)
        {
            return;
        }

        if (!ReferenceEquals(_pendingOutput, output))
        {
            _pendingOutput = null;
            return;
        }

        var at = 0;
        while (at < data.Length && char.IsWhiteSpace(data[at]))
        {
            at++;
        }

        if (at == data.Length)
        {
            return;
        }

        _pendingOutput = null;
        if (data[at] != ':' && _pendingAt <= output.Length && output.Length - _pendingAt <= MaxGapAfterLabel
            && LineBreaksSince(output, _pendingAt) < 2)
        {
            // Only collapsed whitespace and at most one line break follow the label, so the insert moves a few characters.
            output.Insert(_pendingAt, ':');
        }
    }

    /// <summary>A <c>span</c> or <c>font</c> start tag; returns <paramref name="bold"/> when it is tracked.</summary>
    public bool PushSpan(bool bold)
    {
        if (_spans.Count >= MaxSpanDepth)
        {
            _untrackedSpans++;
            return false;
        }

        _spans.Add(bold);
        return bold;
    }

    /// <summary>A <c>span</c> or <c>font</c> end tag; returns whether the element it closes was bold.</summary>
    public bool PopSpan()
    {
        if (_untrackedSpans > 0)
        {
            _untrackedSpans--;
            return false;
        }

        if (_spans.Count == 0)
        {
            return false;
        }

        var bold = _spans[^1];
        _spans.RemoveAt(_spans.Count - 1);
        return bold;
    }

    /// <summary>A bold element starts or ends; at the end of the outermost one, a known label that starts a line gets its colon.</summary>
    public void Bold(bool end, StringBuilder output)
    {
        if (!end)
        {
            if (_boldDepth++ == 0)
            {
                _boldOutput = output;
                _boldStart = output.Length;
            }

            return;
        }

        if (_boldDepth == 0 || --_boldDepth > 0 || !ReferenceEquals(_boldOutput, output))
        {
            return;
        }

        _boldOutput = null;
        var label = Slice(output, _boldStart);
        if (label is not null && !label.EndsWith(':') && KnownLabels.IsLabel(label) && StartsLine(output, _boldStart))
        {
            var labelEnd = output.Length;
            while (labelEnd > _boldStart && char.IsWhiteSpace(output[labelEnd - 1]))
            {
                labelEnd--;
            }

            _pendingOutput = output;
            _pendingAt = labelEnd;
        }
    }

    /// <summary>A definition term starts or ends; at its end it gets a colon (when it reads as a label) and its definition is joined to it.</summary>
    public void Term(bool end, StringBuilder output)
    {
        if (!end)
        {
            HtmlTextRenderer.EnsureLineStart(output);
            _termOutput = output;
            _termStart = output.Length;
            return;
        }

        if (!ReferenceEquals(_termOutput, output))
        {
            HtmlTextRenderer.EnsureLineStart(output);
            return;
        }

        _termOutput = null;
        var term = Slice(output, _termStart);
        if (term is null)
        {
            HtmlTextRenderer.EnsureLineStart(output);
            return;
        }

        if (!term.EndsWith(':'))
        {
            if (!char.IsLetterOrDigit(term[^1]) && term[^1] != ')' && term[^1] != '.')
            {
                HtmlTextRenderer.EnsureLineStart(output);
                return;
            }

            HtmlTextRenderer.TrimTrailingSpaces(output);
            output.Append(':');
        }

        HtmlTextRenderer.TrimTrailingSpaces(output);
        _afterTermOutput = output;
        _afterTermAt = output.Length;
    }

    /// <summary>A definition starts or ends: the first one after a term is on the term's line, every other on a line of its own.</summary>
    public void Definition(bool end, StringBuilder output)
    {
        var joined = !end && ReferenceEquals(_afterTermOutput, output) && OnlySpacesSince(output, _afterTermAt);
        _afterTermOutput = null;
        if (joined)
        {
            HtmlTextRenderer.TrimTrailingSpaces(output);
            output.Append(' ');
        }
        else
        {
            HtmlTextRenderer.EnsureLineStart(output);
        }
    }

    /// <summary>
    /// A paragraph starts or ends: a blank line, except right after a line that is only a known label, where the value's
    /// paragraph follows on the next line (a second paragraph start with nothing written, an empty paragraph, still gives the blank line).
    /// </summary>
    public void Paragraph(bool end, StringBuilder output)
    {
        HtmlTextRenderer.EnsureLineStart(output);
        if (ReferenceEquals(_labelLineOutput, output) && _labelLineEnd == output.Length)
        {
            if (!end && ++_paragraphsSinceLabel >= 2)
            {
                _labelLineOutput = null;
                HtmlTextRenderer.EnsureBlankLine(output);
            }

            return;
        }

        if (PreviousLineIsLabel(output))
        {
            _labelLineOutput = output;
            _labelLineEnd = output.Length;
            _paragraphsSinceLabel = end ? 0 : 1;
            return;
        }

        HtmlTextRenderer.EnsureBlankLine(output);
    }

    /// <summary>The text written since <paramref name="start"/>, trimmed, when it is one line of 1 to <see cref="MaxLabelLength"/> characters.</summary>
    private static string? Slice(StringBuilder output, int start)
    {
        var length = output.Length - start;
        if (length <= 0 || length > MaxLabelLength)
        {
            return null;
        }

        var text = output.ToString(start, length).Trim();
        return text.Length == 0 || text.Contains('\n') ? null : text;
    }

    /// <summary>Whether only spaces precede <paramref name="at"/> on its line.</summary>
    private static bool StartsLine(StringBuilder output, int at)
    {
        for (var i = at - 1; i >= 0; i--)
        {
            if (output[i] == '\n')
            {
                return true;
            }

            if (output[i] != ' ')
            {
                return false;
            }
        }

        return true;
    }

    private static int LineBreaksSince(StringBuilder output, int at)
    {
        var count = 0;
        for (var i = at; i < output.Length; i++)
        {
            count += output[i] == '\n' ? 1 : 0;
        }

        return count;
    }

    private static bool OnlySpacesSince(StringBuilder output, int at)
    {
        if (at > output.Length)
        {
            return false;
        }

        for (var i = at; i < output.Length; i++)
        {
            if (output[i] != ' ')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the line before the current line start is only a known label (with or without its colon).</summary>
    private static bool PreviousLineIsLabel(StringBuilder output)
    {
        if (output.Length < 2 || output[^1] != '\n')
        {
            return false;
        }

        var start = output.Length - 1;
        while (start > 0 && output[start - 1] != '\n')
        {
            start--;
            if (output.Length - 1 - start > MaxLabelLength)
            {
                return false;
            }
        }

        var line = output.ToString(start, output.Length - 1 - start);
        return line.Length > 0 && KnownLabels.IsLabel(line);
    }
}
