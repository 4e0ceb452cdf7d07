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
}
