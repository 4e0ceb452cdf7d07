using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Tests.Alarms;

/// <summary>Label layouts of real dispatch mails that the one-line rule missed.</summary>
public sealed class LabelExtractorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData("Einsatznummer:\n2026-1\nStichwort:\nB3", "2026-1", "B3")]
    [InlineData("Einsatznummer\u00a0: 2026-1\nStichwort\u00a0:\u00a0B3", "2026-1", "B3")]
    [InlineData("Einsatznummer:\t2026-1\nStichwort:\n  B3  ", "2026-1", "B3")]
    [InlineData("Einsatznummer:\n2026-1 Stichwort: B3", "2026-1", "B3")]
    public void ALabelAloneOnItsLineTakesTheNextLineAndANoBreakSpaceMayPrecedeTheColon(string text, string number, string keyword)
    {
        var found = new LabelExtractor().Extract(text, AlarmLabels.BuiltIn, Timeout);

        Assert.Equal(number, found[AlarmLabels.Einsatznummer]);
        Assert.Equal(keyword, found[AlarmLabels.Stichwort]);
    }

    [Theory]
    [InlineData("Bemerkung:\nStichwort: B3")]
    [InlineData("Bemerkung:\n\nMit freundlichen Grüßen")]
    [InlineData("Bemerkung: Stichwort: B3")]
    [InlineData("Bemerkung:")]
    public void ALabelWithoutValueDoesNotTakeTheNextLabelOrTextAfterABlankLine(string text)
    {
        var found = new LabelExtractor().Extract(text, AlarmLabels.BuiltIn, Timeout);

        Assert.False(found.ContainsKey(AlarmLabels.Bemerkung));
    }

    [Theory]
    [InlineData("Einsatz-Nr.: 2026-1")]
    [InlineData("Einsatz-Nr: 2026-1")]
    [InlineData("EINSATZNR.: 2026-1")]
    [InlineData("Einsatznr : 2026-1")]
    [InlineData("Einsatz Nr.:\t2026-1")]
    [InlineData("Einsatz-Nummer: 2026-1")]
    [InlineData("Einsatznummer.......: 2026-1")]
    [InlineData("Einsatz-Nr. . . : 2026-1")]
    [InlineData("Stichwort: B3 Einsatz-Nr.: 2026-1")]
    public void AbbreviatedIncidentNumberLabelsAndDotLeadersReadAsEinsatznummer(string text)
    {
        var found = new LabelExtractor().Extract(text, AlarmLabels.BuiltIn, Timeout);

        Assert.Equal("2026-1", found[AlarmLabels.Einsatznummer]);
    }

    [Fact]
    public void ATenantLabelSpelledLikeAnAliasKeepsItsOwnName()
    {
        var found = new LabelExtractor().Extract("Einsatz-Nr.: 7\nEinsatznummer: 2026-1", [.. AlarmLabels.BuiltIn, "Einsatz-Nr."], Timeout);

        Assert.Equal("7", found["Einsatz-Nr."]);
        Assert.Equal("2026-1", found[AlarmLabels.Einsatznummer]);
    }

    [Fact]
    public void AWordThatOnlyStartsLikeAnAliasIsNoLabel()
    {
        var found = new LabelExtractor().Extract("Einsatznummernkreis: 5\nEinsatz-Nrn: 6", AlarmLabels.BuiltIn, Timeout);

        Assert.False(found.ContainsKey(AlarmLabels.Einsatznummer));
    }

    [Theory]
    [InlineData("Einsatznummer\n2026-1\nStichwort\nB3")]
    [InlineData("  EINSATZNUMMER  \n2026-1\nSTICHWORT\t\nB3")]
    [InlineData("Einsatznummer    2026-1\nStichwort\tB3")]
    [InlineData("EINSATZNUMMER\u00a0\u00a0 2026-1\nSTICHWORT       B3")]
    public void ALabelAloneOnItsLineOrFollowedByAColumnGapNeedsNoColon(string text)
    {
        var found = new LabelExtractor().Extract(text, AlarmLabels.BuiltIn, Timeout);

        Assert.Equal("2026-1", found[AlarmLabels.Einsatznummer]);
        Assert.Equal("B3", found[AlarmLabels.Stichwort]);
    }

    [Theory]
    [InlineData("Straße          Ort          Objekt\nHauptstr. 5     Musterdorf   Halle")]
    [InlineData("Bitte Straße  freihalten")]
    [InlineData("Straße:\n==========  EINSATZGRUND  ==========")]
    [InlineData("Straße\n----------------")]
    [InlineData("Straße\n\nHauptstr. 5")]
    public void AHeaderLineOfColumnNamesASeparatorOrABlankLineGivesNoValue(string text)
    {
        var found = new LabelExtractor().Extract(text, AlarmLabels.BuiltIn, Timeout);

        Assert.False(found.ContainsKey(AlarmLabels.Strasse));
    }

    [Theory]
    [InlineData("E-Nr: 2026-1\nAlarmstichwort: B3", "2026-1", "B3")]
    [InlineData("Incident No.: 2026-1\nEinsatzstichwort: B3", "2026-1", "B3")]
    [InlineData("E-Nr.: 2026-1 Stichw.: B3", "2026-1", "B3")]
    public void OtherSpellingsOfTheIncidentNumberAndTheKeywordAreRead(string text, string number, string keyword)
    {
        var found = new LabelExtractor().Extract(text, AlarmLabels.BuiltIn, Timeout);

        Assert.Equal(number, found[AlarmLabels.Einsatznummer]);
        Assert.Equal(keyword, found[AlarmLabels.Stichwort]);
    }

    [Theory]
    [InlineData("Straße/Hausnummer: Hauptstr. 5")]
    [InlineData("Strasse / Hausnr.: Hauptstr. 5")]
    [InlineData("STR.: Hauptstr. 5")]
    public void CombinedStreetAndHouseNumberLabelsReadAsStrasse(string text)
    {
        var found = new LabelExtractor().Extract(text, AlarmLabels.BuiltIn, Timeout);

        Assert.Equal("Hauptstr. 5", found[AlarmLabels.Strasse]);
    }

    [Theory]
    [InlineData("  Straße   : Hauptstr. 5")]
    [InlineData("\tStraße\t.....: Hauptstr. 5")]
    [InlineData("  STRASSE    Hauptstr. 5")]
    public void AnIndentedLabelWithSpacesBeforeItsColonIsReadByTheColonNotAsAColumn(string text)
    {
        var found = new LabelExtractor().Extract(text, AlarmLabels.BuiltIn, Timeout);

        Assert.Equal("Hauptstr. 5", found[AlarmLabels.Strasse]);
    }

    [Theory]
    [InlineData("Bemerkung: Zufahrt über Ort  Musterdorf-Süd\nBitte Ort beachten\nE-Mail-Adresse: leitstelle@ils-musterland.example")]
    [InlineData("Hinweis: Der Ort ist gesperrt.  Objekt  brennt")]
    public void ALabelWordInsideAValueOrAHyphenatedWordIsNoLabel(string text)
    {
        var found = new LabelExtractor().Extract(text, AlarmLabels.Read, Timeout);

        Assert.False(found.ContainsKey(AlarmLabels.Ort));
        Assert.False(found.ContainsKey(AlarmLabels.Objekt));
        Assert.False(found.ContainsKey(AlarmLabels.Einsatzort));
    }

    [Fact]
    public void CallerSpecialSignalDistrictAndAddressLabelsAreRead()
    {
        var found = new LabelExtractor().Extract(
            "ENR: 2026-1\nAdresse: Birkenweg 12, 12345 Musterdorf\nOrtsteil: Oberdorf\nSonderrechte: ja\nAnrufer: Erika Mustermann",
            AlarmLabels.Read,
            Timeout);

        Assert.Equal("2026-1", found[AlarmLabels.Einsatznummer]);
        Assert.Equal("Birkenweg 12, 12345 Musterdorf", found[AlarmLabels.Einsatzort]);
        Assert.Equal("Oberdorf", found[AlarmLabels.Ortsteil]);
        Assert.Equal("ja", found[AlarmLabels.Sondersignal]);
        Assert.Equal("Erika Mustermann", found[AlarmLabels.Mitteiler]);
        Assert.False(found.ContainsKey(AlarmLabels.Ort));
    }
}
