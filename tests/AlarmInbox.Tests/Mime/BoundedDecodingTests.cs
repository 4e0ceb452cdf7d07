using System.Text;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mime;

namespace AlarmInbox.Tests.Mime;

/// <summary>Issue 16, findings 1, 4 and 13: the decoder's caps, on bomb mails generated here.</summary>
public sealed class BoundedDecodingTests
{
    private static readonly DateTimeOffset FetchedAt = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FiftyThousandNestedTablesAreReadAsTextBelowTheCapAndFlagged()
    {
        var budget = DecodeBudget.Unlimited;

        var text = HtmlTextRenderer.Render(MailBombs.NestedTables(50_000), budget);

        Assert.Equal([MailLimits.HtmlNesting], budget.Limits);
        Assert.StartsWith("Vor den Tabellen", text, StringComparison.Ordinal);
        Assert.EndsWith("Nach den Tabellen", text, StringComparison.Ordinal);
        Assert.Contains("Einsatznummer 2026-999001", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TablesUpToTheNestingCapStillRenderLabelRows()
    {
        var budget = DecodeBudget.Unlimited;

        var text = HtmlTextRenderer.Render(MailBombs.NestedTables(HtmlTextRenderer.MaxTableDepth - 1), budget);

        Assert.Empty(budget.Limits);
        Assert.Contains("Einsatznummer: 2026-999001", text, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlTextAboveTheOutputCapStopsTheRenderingAndIsFlagged()
    {
        var budget = DecodeBudget.Unlimited;
        var html = "<p>Stichwort: B1</p>" + string.Concat(Enumerable.Repeat("<p>" + new string('x', 1000) + "</p>", 500));

        var text = HtmlTextRenderer.Render(html, budget);

        Assert.Equal([MailLimits.HtmlOutput], budget.Limits);
        Assert.StartsWith("Stichwort: B1", text, StringComparison.Ordinal);
        // The last paragraph written may cross the cap (1,000 characters), plus a blank line per paragraph.
        Assert.True(text.Length <= HtmlTextRenderer.MaxOutputChars + 1000 + 2 * 500, $"{text.Length} characters");
    }

    [Fact]
    public void AnExhaustedBudgetStopsTheRenderingAndKeepsWhatItHas()
    {
        var budget = new DecodeBudget(TimeSpan.Zero);
        var html = "<p>Einsatznummer: 2026-1</p>" + string.Concat(Enumerable.Repeat("<p>mehr</p>", 5000));

        var text = HtmlTextRenderer.Render(html, budget);

        Assert.Contains(MailLimits.TimeBudget, budget.Limits);
        Assert.StartsWith("Einsatznummer: 2026-1", text, StringComparison.Ordinal);
        Assert.True(text.Split('\n').Length < 5000);
    }

    [Fact]
    public void ThousandNestedMultipartsKeepTheTextFoundSoFarAndFlagTheMessageTruncated()
    {
        var mail = Decode(MailBombs.NestedMultiparts(1_000, "tief@ils-musterland.example"), DecodeBudget.Unlimited);

        Assert.Contains("Einsatznummer: 2026-999002", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("nie gelesen", mail.Text, StringComparison.Ordinal);
        Assert.True(mail.Truncated);
        Assert.Equal([MailLimits.MimeDepth], mail.Limits);
    }

    [Fact]
    public void FiveMegabyteSubjectAndFiftyThousandAttachmentsAreCutAtTheCaps()
    {
        var mail = Decode(MailBombs.Oversized(5 * 1024 * 1024, 50_000, "gross@ils-musterland.example"), DecodeBudget.Unlimited);

        Assert.Equal(MailLimits.MaxSubjectLength, mail.Subject.Length);
        Assert.Equal(MailLimits.MaxAttachments, mail.Attachments.Count);
        Assert.Equal([MailLimits.Attachments, MailLimits.Subject], mail.Limits.Order(StringComparer.Ordinal));
        Assert.Contains("Einsatznummer: 2026-999003", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExhaustedBudgetStillGivesTheHeadersAndFlagsTheMail()
    {
        var mail = Decode(MailBombs.NestedTablesMail(100, "knapp@bomb.example"), new DecodeBudget(TimeSpan.Zero));

        Assert.Equal("Tabellen", mail.Subject);
        Assert.Equal("knapp@bomb.example", mail.MessageId);
        Assert.Contains(MailLimits.TimeBudget, mail.Limits);
    }

    [Fact]
    public void ALabelsRowAboveHalfAMillionValueRowsStaysWithinAFixedMultipleOfTheOutputCap()
    {
        var budget = DecodeBudget.Unlimited;
        var html = "<table><tr><th>Einsatznummer</th><th>Stichwort</th><th>Ort</th></tr>"
            + string.Concat(Enumerable.Repeat("<tr><td>x<td>y<td>z", 500_000)) + "</table>";

        var text = HtmlTextRenderer.Render(html, budget);

        Assert.Equal([MailLimits.HtmlOutput], budget.Limits);
        Assert.StartsWith("Einsatznummer: x\nStichwort: y\nOrt: z\nEinsatznummer: x", text, StringComparison.Ordinal);
        // Each value character written may carry a label of at most 32 characters, ": " and a line break.
        Assert.True(text.Length <= 36 * (HtmlTextRenderer.MaxOutputChars + 1), $"{text.Length} characters");
    }

    [Fact]
    public void AMegabyteSubjectOfUnterminatedEncodedWordsIsReadAsText()
    {
        var raw = string.Concat(Enumerable.Repeat("=?x?Q?a ", 131_072));
        var mail = Decode(Encoding.ASCII.GetBytes("From: a@ils.example\r\nSubject: " + raw + "\r\n\r\nEinsatznummer: 1\r\n"), DecodeBudget.Unlimited);

        Assert.Equal(raw[..MailLimits.MaxSubjectLength], mail.Subject);
        Assert.Equal([MailLimits.Subject], mail.Limits);
    }

    [Theory]
    [InlineData("<b>Ort</b><br>", 60_000)]
    [InlineData("<p><b>Stichwort</b></p><p></p>", 40_000)]
    [InlineData("<dt>Einsatznummer</dt>", 60_000)]
    [InlineData("<dt>Einsatznummer</dt><dd>1</dd><dd>2</dd>", 30_000)]
    [InlineData("<span style=\"font-weight:bold\"><b>", 100_000)]
    [InlineData("<b>Ort</b>&nbsp;&nbsp;&nbsp;&nbsp;", 60_000)]
    public void RepeatedBoldLabelsTermsAndSpansRenderInOnePassWithinTheOutputCap(string repeated, int times)
    {
        // Each shape makes the renderer look back at what it wrote (a label's colon, a term's definition, a paragraph
        // after a label line); a look-back that were not bounded would make these inputs quadratic (minutes, not
        // milliseconds). The cap counts the text; line breaks and the colons added after labels of at least three
        // letters come on top, so the rendering stays within twice the cap.
        var budget = DecodeBudget.Unlimited;
        var html = string.Concat(Enumerable.Repeat(repeated, times)) + "<p>Einsatznummer: 2026-999003</p>";

        var text = HtmlTextRenderer.Render(html, budget);

        Assert.True(text.Length <= 2 * HtmlTextRenderer.MaxOutputChars, $"{text.Length} characters");
        if (budget.Limits.Count == 0)
        {
            Assert.EndsWith("Einsatznummer: 2026-999003", text, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal([MailLimits.HtmlOutput], budget.Limits);
        }
    }

    private static MailMessage Decode(byte[] raw, DecodeBudget budget)
    {
        using var stream = new MemoryStream(raw);
        return new MailDecoder().Decode(stream, 1, 1, null, raw.Length, FetchedAt, budget, CancellationToken.None);
    }
}
