using AlarmInbox.Grains.Mime;
using Xunit;

namespace AlarmInbox.Tests.Mime;

public sealed class HtmlTextRendererTests
{
    [Fact]
    public void TwoCellRowWithColonLabelRendersAsOneLabelValueLine()
    {
        var text = HtmlTextRenderer.Render("<table><tr><td>Einsatznummer:</td><td>2026-113460</td></tr></table>");

        Assert.Equal("Einsatznummer: 2026-113460", text);
    }

    [Fact]
    public void TwoCellRowWithoutColonGetsColonBetweenLabelAndValue()
    {
        var text = HtmlTextRenderer.Render(
            "<table>\r\n<tr><td>Einsatznummer</td><td>2026-113460</td></tr>\r\n<tr><td>Ort</td><td>B&nbsp;37</td></tr>\r\n</table>");

        Assert.Equal("Einsatznummer: 2026-113460\nOrt: B 37", text);
    }

    [Fact]
    public void RowWithMoreThanTwoCellsJoinsCellsWithSingleSpaces()
    {
        var text = HtmlTextRenderer.Render("<table><tr><td>FL MUS 1/42-1</td><td>HLF 20</td><td>alarmiert</td></tr></table>");

        Assert.Equal("FL MUS 1/42-1 HLF 20 alarmiert", text);
    }

    [Fact]
    public void HeaderRowIsNotRenderedAsLabelValue()
    {
        var text = HtmlTextRenderer.Render("<table><tr><th>Feld</th><th>Wert</th></tr><tr><td>Stichwort</td><td>B2</td></tr></table>");

        Assert.Equal("Feld Wert\nStichwort: B2", text);
    }

    [Fact]
    public void RowsWithoutClosingTagsStillRenderOneLineEach()
    {
        var text = HtmlTextRenderer.Render("<table><tr><td>Ort<td>Musterdorf<tr><td>Objekt<td>Scheune</table>Ende");

        Assert.Equal("Ort: Musterdorf\nObjekt: Scheune\nEnde", text);
    }

    [Fact]
    public void EmptyCellsAreIgnored()
    {
        var text = HtmlTextRenderer.Render("<table><tr><td></td><td>Stichwort</td><td>&nbsp;</td><td>B2</td></tr></table>");

        Assert.Equal("Stichwort: B2", text);
    }

    [Fact]
    public void ScriptAndStyleContentsAreDropped()
    {
        var text = HtmlTextRenderer.Render(
            "<style>td { color: red; }</style><p>Alarm</p><script>if (a < b) { alert('x'); }</script><p>Ende</p>");

        Assert.Equal("Alarm\n\nEnde", text);
    }

    [Fact]
    public void HeadContentsAreDropped()
    {
        var text = HtmlTextRenderer.Render("<html><head><title>Alarmdepesche</title><meta charset=\"utf-8\"></head><body>Einsatz</body></html>");

        Assert.Equal("Einsatz", text);
    }

    [Fact]
    public void UnclosedHeadDoesNotHideTheBody()
    {
        var text = HtmlTextRenderer.Render("<html><head><title>Alarmdepesche</title><body>Einsatz</body></html>");

        Assert.Equal("Einsatz", text);
    }

    [Fact]
    public void CharacterReferencesAreDecoded()
    {
        var text = HtmlTextRenderer.Render("<p>Zufahrt &uuml;ber Feldweg &amp; Hof &lt;Nord&gt; &#8211; &#x20AC;5</p>");

        Assert.Equal("Zufahrt über Feldweg & Hof <Nord> – €5", text);
    }

    [Fact]
    public void BlockElementsBreakLines()
    {
        var text = HtmlTextRenderer.Render("<h1>Alarm</h1><div>Ort</div><div>Musterdorf</div>Zeile 1<br>Zeile 2<ul><li>HLF</li><li>DLK</li></ul><hr>Ende");

        Assert.Equal("Alarm\n\nOrt\nMusterdorf\nZeile 1\nZeile 2\nHLF\nDLK\n\nEnde", text);
    }

    [Fact]
    public void LineBreakTagsInsideParagraphKeepLabelsOnTheirOwnLines()
    {
        var text = HtmlTextRenderer.Render("<p><b>Einsatznummer:</b> 2026-113470<br><b>Stichwort:</b> F2 Brand Scheune<br></p>");

        Assert.Equal("Einsatznummer: 2026-113470\nStichwort: F2 Brand Scheune", text);
    }

    [Fact]
    public void WhitespaceIsCollapsedWithinLines()
    {
        var text = HtmlTextRenderer.Render("<p>  PKW   gegen\r\n\tBaum,&nbsp;&nbsp;Fahrer <b> eingeklemmt </b> </p>");

        Assert.Equal("PKW gegen Baum, Fahrer eingeklemmt", text);
    }

    [Fact]
    public void AtMostOneBlankLineIsKeptInARow()
    {
        var text = HtmlTextRenderer.Render("<p>Alarm</p><p></p><br><br><br><br><p>Ende</p>");

        Assert.Equal("Alarm\n\nEnde", text);
    }

    [Fact]
    public void PreformattedTextKeepsItsLineBreaks()
    {
        var text = HtmlTextRenderer.Render("<pre>Einsatznummer: 2026-1\r\nStichwort:     B2</pre>");

        Assert.Equal("Einsatznummer: 2026-1\nStichwort:     B2", text);
    }

    [Fact]
    public void NestedTableInCellRendersInsideTheRow()
    {
        var text = HtmlTextRenderer.Render(
            "<table><tr><td>Einsatzmittel</td><td><table><tr><td>HLF</td></tr><tr><td>DLK</td></tr></table></td></tr><tr><td>Ort</td><td>Musterdorf</td></tr></table>");

        Assert.Equal("Einsatzmittel: HLF\nDLK\nOrt: Musterdorf", text);
    }

    [Fact]
    public void EmptyOrNullHtmlGivesEmptyText()
    {
        Assert.Equal("", HtmlTextRenderer.Render((string?)null));
        Assert.Equal("", HtmlTextRenderer.Render(""));
        Assert.Equal("", HtmlTextRenderer.Render("<html><body>  </body></html>"));
    }
}
