using System.Text;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using MimeKit.Text;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Renders the HTML body of a mail to readable plain text, so that HTML-only alarm mails can be
/// parsed like plain-text ones.
/// </summary>
/// <remarks>
/// Block elements become line breaks; a table row becomes one line, and a two-cell row reads as
/// <c>Label: value</c>. A row of known labels above a row of values (<c>Einsatznummer | Stichwort | Ort</c> over
/// <c>2026-1 | B3 | Musterdorf</c>) is read column by column, one <c>Label: value</c> line per column. Script, style and
/// head contents are dropped, character references are decoded, whitespace is collapsed within lines and at most one
/// blank line is kept in a row.
/// Linear in the input: tables nested deeper than <see cref="MaxTableDepth"/> are read as plain text
/// (<see cref="MailLimits.HtmlNesting"/>), the rendering stops after <see cref="MaxOutputChars"/> characters of text
/// (<see cref="MailLimits.HtmlOutput"/>) or when the mail's <see cref="DecodeBudget"/> runs out, keeping what it has.
/// </remarks>
public static class HtmlTextRenderer
{
    /// <summary>The deepest table nesting rendered as tables; deeper tables are read as plain text.</summary>
    public const int MaxTableDepth = 16;

    /// <summary>The most characters of text written from the HTML, after whitespace is collapsed (four times <see cref="MailMessage.MaxTextLength"/>).</summary>
    public const int MaxOutputChars = 4 * MailMessage.MaxTextLength;

    /// <summary>The longest cell of a row of labels.</summary>
    private const int MaxLabelsRowCell = 32;

    /// <summary>The most columns one cell is counted as spanning.</summary>
    private const int MaxColumnSpan = 32;

    /// <summary>The shortest run of no-break spaces read as column padding (rendered as two spaces, not one).</summary>
    private const int MinPaddingRun = 3;

    /// <summary>Tokens between two checks of the time budget.</summary>
    private const int TokensPerBudgetCheck = 512;

    /// <summary>Renders an HTML document or fragment to plain text with "\n" line endings.</summary>
    /// <param name="html">The HTML; <see langword="null"/> or empty gives "".</param>
    /// <returns>The text, without leading or trailing blank lines.</returns>
    public static string Render(string? html) => Render(html, DecodeBudget.Unlimited);

    /// <summary>Renders an HTML document or fragment to plain text within a mail's budget; limits hit are recorded in it.</summary>
    /// <param name="html">The HTML; <see langword="null"/> or empty gives "".</param>
    /// <param name="budget">The mail's processing budget.</param>
    /// <returns>The text, without leading or trailing blank lines.</returns>
    public static string Render(string? html, DecodeBudget budget)
    {
        if (string.IsNullOrEmpty(html))
        {
            return "";
        }

        using var reader = new StringReader(html);
        return Render(reader, budget);
    }

    /// <summary>Renders HTML read from <paramref name="html"/> to plain text with "\n" line endings.</summary>
    /// <param name="html">The HTML source.</param>
    /// <returns>The text, without leading or trailing blank lines.</returns>
    public static string Render(TextReader html) => Render(html, DecodeBudget.Unlimited);

    /// <summary>Renders HTML read from <paramref name="html"/> within a mail's budget; limits hit are recorded in it.</summary>
    /// <param name="html">The HTML source.</param>
    /// <param name="budget">The mail's processing budget.</param>
    /// <returns>The text, without leading or trailing blank lines.</returns>
    public static string Render(TextReader html, DecodeBudget budget)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(budget);

        var tokenizer = new HtmlTokenizer(html);
        var root = new StringBuilder();

        // Open tables, rows and cells, innermost last (at most MaxTableDepth tables). Each cell collects its own text; a
        // row is written to the enclosing cell (or the document) when it closes, so every character is copied at most
        // once per open table: linear.
        var frames = new List<Frame>();
        var inline = new InlineLabels();
        var skipped = new List<HtmlTagId>();
        var preDepth = 0;
        var tableDepth = 0;
        var ignoredTables = 0;
        var taken = 0;
        var tokens = 0;

        while (tokenizer.ReadNextToken(out var token))
        {
            if (++tokens % TokensPerBudgetCheck == 0 && budget.IsExhausted)
            {
                break;
            }

            if (token is HtmlTagToken tag)
            {
                if (HandleSkippedTag(tag, skipped))
                {
                    continue;
                }

                if (tag.Id == HtmlTagId.Pre)
                {
                    preDepth = tag.IsEndTag ? Math.Max(0, preDepth - 1) : tag.IsEmptyElement ? preDepth : preDepth + 1;
                }

                if (tag.Id == HtmlTagId.Table && !tag.IsEndTag && !tag.IsEmptyElement && (ignoredTables > 0 || tableDepth >= MaxTableDepth))
                {
                    // Too deep: this table and everything in it are read as plain text.
                    budget.Hit(MailLimits.HtmlNesting);
                    ignoredTables++;
                    continue;
                }

                if (ignoredTables > 0 && tag.Id is HtmlTagId.Table or HtmlTagId.TR or HtmlTagId.TD or HtmlTagId.TH)
                {
                    if (tag.Id == HtmlTagId.Table && tag.IsEndTag)
                    {
                        ignoredTables--;
                    }
                    else if (tag.Id is HtmlTagId.TD or HtmlTagId.TH && !tag.IsEndTag)
                    {
                        AppendCollapsed(CurrentOutput(frames, root), " ");
                    }

                    continue;
                }

                tableDepth += HandleTag(tag, frames, root, inline);
            }
            else if (skipped.Count == 0 && token.Kind is HtmlTokenKind.Data or HtmlTokenKind.CData && token is HtmlDataToken data)
            {
                var output = CurrentOutput(frames, root);
                inline.BeforeText(data.Data, output);
                var before = output.Length;
                if (preDepth > 0)
                {
                    output.Append(InvisibleCharacters.Remove(data.Data).ReplaceLineEndings("\n"));
                }
                else
                {
                    AppendCollapsed(output, data.Data);
                }

                // Counted as written (whitespace between tags collapses to nothing), so indented HTML is not cut early.
                taken += output.Length - before;
                if (taken > MaxOutputChars)
                {
                    budget.Hit(MailLimits.HtmlOutput);
                    break;
                }
            }
        }

        while (frames.Count > 0)
        {
            CloseTop(frames, root);
        }

        return Tidy(root.ToString());
    }

    /// <summary>Tracks elements whose content is not shown; returns whether the tag was consumed.</summary>
    private static bool HandleSkippedTag(HtmlTagToken tag, List<HtmlTagId> skipped)
    {
        if (tag.Id is HtmlTagId.Script or HtmlTagId.Style or HtmlTagId.Head)
        {
            if (tag.IsEndTag)
            {
                var index = skipped.LastIndexOf(tag.Id);
                if (index >= 0)
                {
                    skipped.RemoveRange(index, skipped.Count - index);
                }
            }
            else if (!tag.IsEmptyElement)
            {
                skipped.Add(tag.Id);
            }

            return true;
        }

        if (tag.Id == HtmlTagId.Body && !tag.IsEndTag)
        {
            // A missing </head> must not hide the whole body.
            skipped.Clear();
            return false;
        }

        return skipped.Count > 0;
    }

    /// <summary>Handles one tag; returns the change in the number of open tables (−n, 0 or +1).</summary>
    private static int HandleTag(HtmlTagToken tag, List<Frame> frames, StringBuilder root, InlineLabels inline)
    {
        switch (tag.Id)
        {
            case HtmlTagId.B:
            case HtmlTagId.Strong:
                if (!tag.IsEmptyElement)
                {
                    inline.Bold(tag.IsEndTag, CurrentOutput(frames, root));
                }

                break;

            case HtmlTagId.Span:
            case HtmlTagId.Font:
                if (tag.IsEndTag ? inline.PopSpan() : !tag.IsEmptyElement && inline.PushSpan(IsBoldStyle(tag)))
                {
                    inline.Bold(tag.IsEndTag, CurrentOutput(frames, root));
                }

                break;

            case HtmlTagId.DT:
                inline.Term(tag.IsEndTag, CurrentOutput(frames, root));
                break;

            case HtmlTagId.DD:
                inline.Definition(tag.IsEndTag, CurrentOutput(frames, root));
                break;

            case HtmlTagId.P:
                inline.Paragraph(tag.IsEndTag, CurrentOutput(frames, root));
                break;

            case HtmlTagId.Table:
                if (tag.IsEndTag)
                {
                    var table = frames.FindLastIndex(f => f.Kind == FrameKind.Table);
                    if (table >= 0)
                    {
                        // Tables left open inside it (malformed HTML) close with it.
                        var closed = frames.Skip(table).Count(f => f.Kind == FrameKind.Table);
                        CloseDownTo(frames, table, root);
                        return -closed;
                    }
                }
                else if (!tag.IsEmptyElement)
                {
                    EnsureLineStart(CurrentOutput(frames, root));
                    frames.Add(new Frame(FrameKind.Table, false));
                    return 1;
                }

                break;

            case HtmlTagId.TR:
                CloseOpenRow(frames, root);
                if (!tag.IsEndTag)
                {
                    frames.Add(new Frame(FrameKind.Row, false));
                }

                break;

            case HtmlTagId.TD:
            case HtmlTagId.TH:
                if (frames.Count > 0 && frames[^1].Kind == FrameKind.Cell)
                {
                    CloseTop(frames, root);
                }

                if (!tag.IsEndTag)
                {
                    if (frames.Count == 0 || frames[^1].Kind != FrameKind.Row)
                    {
                        frames.Add(new Frame(FrameKind.Row, false));
                    }

                    frames.Add(new Frame(FrameKind.Cell, tag.Id == HtmlTagId.TH) { Span = ColumnSpan(tag) });
                }

                break;

            case HtmlTagId.Br:
                CurrentOutput(frames, root).Append('\n');
                break;

            case HtmlTagId.H1:
            case HtmlTagId.H2:
            case HtmlTagId.H3:
            case HtmlTagId.H4:
            case HtmlTagId.H5:
            case HtmlTagId.H6:
            case HtmlTagId.HR:
            case HtmlTagId.Pre:
            case HtmlTagId.BlockQuote:
                EnsureBlankLine(CurrentOutput(frames, root));
                break;

            case HtmlTagId.Div:
            case HtmlTagId.LI:
            case HtmlTagId.UL:
            case HtmlTagId.OL:
            case HtmlTagId.DL:
            case HtmlTagId.Address:
            case HtmlTagId.Center:
            case HtmlTagId.Section:
            case HtmlTagId.Article:
            case HtmlTagId.Header:
            case HtmlTagId.Footer:
            case HtmlTagId.Main:
            case HtmlTagId.Nav:
            case HtmlTagId.Aside:
            case HtmlTagId.Caption:
            case HtmlTagId.Figure:
            case HtmlTagId.FigCaption:
                EnsureLineStart(CurrentOutput(frames, root));
                break;
        }

        return 0;
    }

    /// <summary>Whether a <c>span</c> or <c>font</c> tag's style sets bold text (<c>font-weight: bold</c> or 600 to 900).</summary>
    private static bool IsBoldStyle(HtmlTagToken tag)
    {
        foreach (var attribute in tag.Attributes)
        {
            if (!string.Equals(attribute.Name, "style", StringComparison.OrdinalIgnoreCase) || attribute.Value is null)
            {
                continue;
            }

            var style = attribute.Value.AsSpan(0, Math.Min(attribute.Value.Length, 500));
            var at = style.IndexOf("font-weight", StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                return false;
            }

            var value = style[(at + "font-weight".Length)..].TrimStart().TrimStart(':').TrimStart();
            return value.StartsWith("bold", StringComparison.OrdinalIgnoreCase)
                || (value.Length >= 3 && value[0] is >= '6' and <= '9' && value[1] == '0' && value[2] == '0');
        }

        return false;
    }

    /// <summary>Closes the innermost open row (and its cells), unless a table is nearer.</summary>
    private static void CloseOpenRow(List<Frame> frames, StringBuilder root)
    {
        var row = frames.FindLastIndex(f => f.Kind is FrameKind.Row or FrameKind.Table);
        if (row >= 0 && frames[row].Kind == FrameKind.Row)
        {
            CloseDownTo(frames, row, root);
        }
    }

    private static void CloseDownTo(List<Frame> frames, int index, StringBuilder root)
    {
        while (frames.Count > index)
        {
            CloseTop(frames, root);
        }
    }

    private static void CloseTop(List<Frame> frames, StringBuilder root)
    {
        var frame = frames[^1];
        frames.RemoveAt(frames.Count - 1);

        switch (frame.Kind)
        {
            case FrameKind.Cell:
                var text = Tidy(frame.Text.ToString());
                if (frames.Count > 0 && frames[^1].Kind == FrameKind.Row)
                {
                    frames[^1].Cells.Add(new Cell(text, frame.IsHeader, frame.Span));
                }
                else
                {
                    AppendBlock(CurrentOutput(frames, root), text);
                }

                break;

            case FrameKind.Row:
                var table = frames.Count > 0 && frames[^1].Kind == FrameKind.Table ? frames[^1] : null;
                AppendBlock(CurrentOutput(frames, root), table is null ? JoinCells(frame.Cells) : RenderRow(table, frame.Cells));
                break;

            case FrameKind.Table:
                var output = CurrentOutput(frames, root);
                AppendBlock(output, TakeUnusedLabelsRow(frame));
                EnsureLineStart(output);
                break;
        }
    }

    /// <summary>
    /// Renders a row of a table. A row whose cells are known labels (<see cref="IsLabelsRow"/>) is held back; the rows after
    /// it with as many cells are rendered column by column as <c>Label: value</c> lines (a labels row above a values row).
    /// A labels row no row pairs with is rendered with its cells space-separated, before the next row or when the table ends.
    /// </summary>
    private static string RenderRow(Frame table, List<Cell> cells)
    {
        if (!cells.Exists(c => c.Text.Length > 0))
        {
            return "";
        }

        if (IsLabelsRow(cells))
        {
            var unused = TakeUnusedLabelsRow(table);
            table.LabelsRow = cells;
            table.LabelsColumns = Columns(cells);
            return unused;
        }

        if (table.LabelsRow is { } labels)
        {
            if (table.LabelsColumns == Columns(cells))
            {
                table.LabelsRowUsed = true;
                return PairColumns(labels, cells);
            }

            var unused = TakeUnusedLabelsRow(table);
            var row = JoinCells(cells);
            return unused.Length == 0 ? row : row.Length == 0 ? unused : unused + "\n" + row;
        }

        return JoinCells(cells);
    }

    /// <summary>The held-back labels row of <paramref name="table"/> when no row was paired with it (else ""); the table holds none afterwards.</summary>
    private static string TakeUnusedLabelsRow(Frame table)
    {
        // Its cells are labels, not a label and its value: space-separated.
        var text = table.LabelsRow is { } labels && !table.LabelsRowUsed ? string.Join(" ", labels.Where(c => c.Text.Length > 0).Select(c => c.Text)) : "";
        table.LabelsRow = null;
        table.LabelsRowUsed = false;
        return text;
    }

    /// <summary>
    /// Whether at least two cells, and at least half of the filled ones, are known labels (<see cref="KnownLabels.IsLabel"/>),
    /// and no cell is longer than <see cref="MaxLabelsRowCell"/>: a label is copied once per value, so short labels keep the
    /// rendering within a small factor of <see cref="MaxOutputChars"/>.
    /// </summary>
    private static bool IsLabelsRow(List<Cell> cells)
    {
        var filled = 0;
        var labels = 0;
        foreach (var (text, _, _) in cells)
        {
            if (text.Length > MaxLabelsRowCell)
            {
                return false;
            }

            if (text.Length > 0)
            {
                filled++;
                labels += KnownLabels.IsLabel(text) ? 1 : 0;
            }
        }

        return labels >= 2 && labels * 2 >= filled;
    }

    /// <summary>
    /// One <c>Label: value</c> line per value cell, its label being the labels-row cell that starts in the same column; a
    /// value without a label stands alone.
    /// </summary>
    private static string PairColumns(List<Cell> labels, List<Cell> values)
    {
        var lines = new StringBuilder();
        var labelIndex = 0;
        var labelColumn = 0;
        var column = 0;
        foreach (var cell in values)
        {
            while (labelIndex < labels.Count && labelColumn + labels[labelIndex].Span <= column)
            {
                labelColumn += labels[labelIndex].Span;
                labelIndex++;
            }

            var label = labelIndex < labels.Count && labelColumn == column ? labels[labelIndex].Text : "";
            column += cell.Span;
            if (cell.Text.Length == 0)
            {
                continue;
            }

            if (lines.Length > 0)
            {
                lines.Append('\n');
            }

            lines.Append(label.Length == 0 ? cell.Text : Pair(label, cell.Text) ?? label + " " + cell.Text);
        }

        return lines.ToString();
    }

    /// <summary>The columns a row spans.</summary>
    private static int Columns(List<Cell> cells)
    {
        var columns = 0;
        foreach (var cell in cells)
        {
            columns += cell.Span;
        }

        return columns;
    }

    /// <summary>Joins the cells of a row: a label and its value become <c>Label: value</c>, others are space-separated.</summary>
    private static string JoinCells(List<Cell> cells)
    {
        var filled = cells.Where(c => c.Text.Length > 0).ToList();
        if (filled.Count == 2 && !filled.All(c => c.IsHeader) && Pair(filled[0].Text, filled[1].Text) is { } pair)
        {
            return pair;
        }

        return string.Join(" ", filled.Select(c => c.Text));
    }

    /// <summary><c>Label: value</c> when <paramref name="label"/> reads as a label (one line ending in a colon, a letter, a digit or <c>)</c>, or a known label); else <see langword="null"/>.</summary>
    private static string? Pair(string label, string value)
    {
        if (label.EndsWith(':'))
        {
            return label + " " + value;
        }

        var last = label[^1];
        if (!label.Contains('\n') && (char.IsLetterOrDigit(last) || last == ')' || KnownLabels.IsLabel(label)))
        {
            return label + ": " + value;
        }

        return null;
    }

    /// <summary>The columns a cell spans (its <c>colspan</c>, 1 to <see cref="MaxColumnSpan"/>).</summary>
    private static int ColumnSpan(HtmlTagToken tag)
    {
        foreach (var attribute in tag.Attributes)
        {
            if (string.Equals(attribute.Name, "colspan", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(attribute.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var span))
            {
                return Math.Clamp(span, 1, MaxColumnSpan);
            }
        }

        return 1;
    }

    private static StringBuilder CurrentOutput(List<Frame> frames, StringBuilder root)
    {
        for (var i = frames.Count - 1; i >= 0; i--)
        {
            if (frames[i].Kind == FrameKind.Cell)
            {
                return frames[i].Text;
            }
        }

        return root;
    }

    private static void AppendCollapsed(StringBuilder output, string data)
    {
        var noBreakRun = 0;
        foreach (var c in data)
        {
            if (InvisibleCharacters.Is(c))
            {
                continue;
            }

            noBreakRun = c == '\u00A0' ? noBreakRun + 1 : 0;
            if (char.IsWhiteSpace(c))
            {
                // One space at most, and none at the start of a line; U+00A0 (&nbsp;) counts too. A run of three or more
                // no-break spaces keeps two spaces: a label padded to a column with &nbsp; stays apart from its value
                // (two, as Outlook writes after a full stop, are one).
                if (output.Length > 0 && output[^1] != ' ' && output[^1] != '\n')
                {
                    output.Append(' ');
                }
                else if (noBreakRun == MinPaddingRun && output.Length > 1 && output[^1] == ' ' && output[^2] is not ' ' and not '\n')
                {
                    output.Append(' ');
                }
            }
            else
            {
                output.Append(c);
            }
        }
    }

    private static void AppendBlock(StringBuilder output, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        EnsureLineStart(output);
        output.Append(text).Append('\n');
    }

    internal static void EnsureLineStart(StringBuilder output)
    {
        TrimTrailingSpaces(output);
        if (output.Length > 0 && output[^1] != '\n')
        {
            output.Append('\n');
        }
    }

    internal static void EnsureBlankLine(StringBuilder output)
    {
        EnsureLineStart(output);
        if (output.Length > 0 && (output.Length < 2 || output[^2] != '\n'))
        {
            output.Append('\n');
        }
    }

    internal static void TrimTrailingSpaces(StringBuilder output)
    {
        var end = output.Length;
        while (end > 0 && output[end - 1] == ' ')
        {
            end--;
        }

        output.Length = end;
    }

    /// <summary>Trims every line's trailing whitespace, keeps at most one blank line in a row and trims the ends.</summary>
    private static string Tidy(string text)
    {
        var result = new StringBuilder(text.Length);
        var blankLines = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd();
            if (line.Length == 0)
            {
                blankLines++;
                continue;
            }

            if (result.Length > 0)
            {
                result.Append(blankLines > 0 ? "\n\n" : "\n");
            }

            result.Append(line);
            blankLines = 0;
        }

        return result.ToString();
    }

    /// <summary>A closed table cell: its text, whether it was a <c>th</c>, the columns it spans.</summary>
    private readonly record struct Cell(string Text, bool IsHeader, int Span);

    private enum FrameKind
    {
        Table,
        Row,
        Cell,
    }

    private sealed class Frame(FrameKind kind, bool isHeader)
    {
        public FrameKind Kind { get; } = kind;

        public bool IsHeader { get; } = isHeader;

        /// <summary>A cell's <c>colspan</c>.</summary>
        public int Span { get; init; } = 1;

        public StringBuilder Text { get; } = new();

        public List<Cell> Cells { get; } = [];

        /// <summary>A table's held-back row of labels, paired with the rows after it.</summary>
        public List<Cell>? LabelsRow { get; set; }

        /// <summary>The columns <see cref="LabelsRow"/> spans.</summary>
        public int LabelsColumns { get; set; }

        /// <summary>Whether a row was paired with <see cref="LabelsRow"/>.</summary>
        public bool LabelsRowUsed { get; set; }
    }
}
