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

    [Theory]
    [InlineData("<table><tr><th>Einsatznummer</th><th>Stichwort</th><th>Ort</th></tr><tr><td>123</td><td>B3</td><td>Musterstadt</td></tr></table>")]
    [InlineData("<table><tr><td>Einsatznummer</td><td>Stichwort</td><td>Ort</td></tr><tr><td>123</td><td>B3</td><td>Musterstadt</td></tr></table>")]
    [InlineData("<table><thead><tr><td><b>Einsatznummer:</b></td><td><b>Stichwort:</b></td><td><b>Ort:</b></td></tr></thead><tbody><tr><td>123</td><td>B3</td><td>Musterstadt</td></tr></tbody></table>")]
    [InlineData("<table><tr><td>Einsatznummer<td>Stichwort<td>Ort<tr><td>&nbsp;<td><td><tr><td>123<td>B3<td>Musterstadt</table>")]
    public void ARowOfLabelsAboveARowOfValuesIsReadColumnByColumn(string html)
    {
        var text = HtmlTextRenderer.Render(html);

        Assert.Equal("Einsatznummer: 123\nStichwort: B3\nOrt: Musterstadt", text);
    }

    [Fact]
    public void ColumnsOfALabelsRowLineUpAcrossColumnSpansAndEmptyValuesAreLeftOut()
    {
        var text = HtmlTextRenderer.Render(
            "<table><tr><td colspan=\"2\">Einsatz-Nr.</td><td>Stichwort</td><td>Hinweis</td><td>Objekt</td></tr>"
            + "<tr><td>2026</td><td>-1</td><td>B3</td><td></td><td>Scheune</td></tr></table>");

        Assert.Equal("Einsatz-Nr.: 2026\n-1\nStichwort: B3\nObjekt: Scheune", text);
    }

    [Fact]
    public void AlternatingRowsOfLabelsAndValuesPairEachWithTheRowBelow()
    {
        var text = HtmlTextRenderer.Render(
            "<table><tr><th>Einsatznummer</th><th>Stichwort</th></tr><tr><td>2026-1</td><td>B3</td></tr>"
            + "<tr><th>Straße</th><th>Ort</th></tr><tr><td>Lindenweg 7</td><td>Musterdorf</td></tr>"
            + "<tr><td>HLF 20</td><td>DLK</td></tr></table>");

        Assert.Equal("Einsatznummer: 2026-1\nStichwort: B3\nStraße: Lindenweg 7\nOrt: Musterdorf\nStraße: HLF 20\nOrt: DLK", text);
    }

    [Fact]
    public void ALabelsRowWithoutAMatchingValuesRowIsRenderedAsItIs()
    {
        var text = HtmlTextRenderer.Render(
            "<table><tr><td>Stichwort</td><td>Ort</td><td>Objekt</td></tr><tr><td>B3</td><td>Musterdorf</td></tr></table>"
            + "<table><tr><td>Einsatzmittel</td><td>Bemerkung</td></tr></table>Ende");

        Assert.Equal("Stichwort Ort Objekt\nB3: Musterdorf\nEinsatzmittel Bemerkung\nEnde", text);
    }

    [Fact]
    public void ALabelValueTableWhoseFirstRowHasOneLabelIsNotALabelsRow()
    {
        var text = HtmlTextRenderer.Render(
            "<table><tr><td>Einsatznummer</td><td>2026-1</td></tr><tr><td>Stichwort</td><td>B3</td></tr><tr><td>Ort</td><td>Musterdorf</td></tr></table>");

        Assert.Equal("Einsatznummer: 2026-1\nStichwort: B3\nOrt: Musterdorf", text);
    }

    [Fact]
    public void OutlookParagraphsInCellsAndAColonCellOfItsOwnGiveOneLabelLine()
    {
        var text = HtmlTextRenderer.Render(
            "<table><tr><td><p class=MsoNormal><b>Einsatznummer<o:p></o:p></b></p></td><td><p class=MsoNormal>:<o:p></o:p></p></td>"
            + "<td><p class=MsoNormal>2026-1<o:p></o:p></p></td></tr>"
            + "<tr><td><p class=MsoNormal>Stra&szlig;e&nbsp;<o:p></o:p></p></td><td><p class=MsoNormal><o:p>&nbsp;</o:p></p></td>"
            + "<td><p class=MsoNormal>Am&nbsp;Bahnhof 1<o:p></o:p></p></td></tr></table>");

        Assert.Equal("Einsatznummer : 2026-1\nStraße: Am Bahnhof 1", text);
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

    [Theory]
    [InlineData("<b>Stichwort</b> B3 Wohnung", "Stichwort: B3 Wohnung")]
    [InlineData("<strong>Einsatzort</strong><br>Hauptstr. 5", "Einsatzort:\nHauptstr. 5")]
    [InlineData("<b>Stichwort</b>: B3", "Stichwort: B3")]
    [InlineData("<b>Stichwort </b><span>:</span> B3", "Stichwort : B3")]
    [InlineData("<span style=\"font-weight:700\">Ort</span>&nbsp;Musterdorf", "Ort: Musterdorf")]
    [InlineData("Bitte <b>Ort</b> beachten", "Bitte Ort beachten")]
    [InlineData("<b>Achtung</b> Gasgeruch", "Achtung Gasgeruch")]
    [InlineData("<table><tr><td><b>Stichwort</b></td><td>:</td><td>B3</td></tr></table>", "Stichwort : B3")]
    public void ABoldKnownLabelThatStartsALineGetsItsColon(string html, string text) =>
        Assert.Equal(text, HtmlTextRenderer.Render(html));

    [Fact]
    public void ADefinitionListReadsTermColonDefinition()
    {
        var text = HtmlTextRenderer.Render(
            "<dl>\n <dt>Einsatznummer</dt>\n <dd>2026-1</dd>\n <dt>Einsatzmittel:</dt><dd>HLF 20</dd><dd>DLK</dd><dt>Hinweis &rarr;</dt><dd>keiner</dd></dl>");

        Assert.Equal("Einsatznummer: 2026-1\nEinsatzmittel: HLF 20\nDLK\nHinweis \u2192\nkeiner", text);
    }

    [Fact]
    public void AParagraphHoldingOnlyALabelIsFollowedByItsValueUnlessAnEmptyParagraphSeparatesThem()
    {
        var text = HtmlTextRenderer.Render(
            "<p><b>Stra&szlig;e</b></p><p>Bachstra&szlig;e 21</p><p><b>Bemerkung</b></p><p>&nbsp;</p><p>Mit freundlichen Gr&uuml;&szlig;en</p><p>Zeile</p>");

        Assert.Equal("Straße:\nBachstraße 21\n\nBemerkung\n\nMit freundlichen Grüßen\n\nZeile", text);
    }

    [Fact]
    public void ThreeOrMoreNoBreakSpacesPaddingALabelToAColumnKeepTwoSpaces()
    {
        var text = HtmlTextRenderer.Render("ORT&nbsp;&nbsp;&nbsp;&nbsp;Musterdorf<br>PLZ &nbsp;&nbsp;&nbsp;12345<br>A&nbsp;B, &nbsp;C.&nbsp;&nbsp;D");

        Assert.Equal("ORT  Musterdorf\nPLZ  12345\nA B, C. D", text);
    }
}
