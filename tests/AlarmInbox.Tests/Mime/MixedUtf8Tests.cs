using System.Text;
using AlarmInbox.Grains.Mime;

namespace AlarmInbox.Tests.Mime;

/// <summary>UTF-8 with stray single-byte characters, decoded sequence by sequence.</summary>
public sealed class MixedUtf8Tests
{
    private static readonly Encoding Windows1252 = CodePagesEncoding(1252);

    [Fact]
    public void ValidSequencesAreUtf8AndAStrayLatin1ByteIsWindows1252()
    {
        // "Grüne Straße" with ü as UTF-8 (C3 BC) and ß as a Latin-1 byte (DF).
        byte[] bytes = [0x47, 0x72, 0xC3, 0xBC, 0x6E, 0x65, 0x20, 0x53, 0x74, 0x72, 0x61, 0xDF, 0x65];

        Assert.Equal("Grüne Straße", MixedUtf8.Decode(bytes, Windows1252));
        Assert.Equal(new Utf8Analysis(1, 1, true), MixedUtf8.Analyse(bytes));
    }

    [Fact]
    public void StrayBytesUseTheFallbackCharset()
    {
        // "Łódź" in ISO-8859-2 (A3 F3 64 BC) after a UTF-8 "ä".
        byte[] bytes = [0xC3, 0xA4, 0x20, 0xA3, 0xF3, 0x64, 0xBC];

        Assert.Equal("ä Łódź", MixedUtf8.Decode(bytes, CodePagesEncoding(28592)));
        Assert.Equal("ä £ód¼", MixedUtf8.Decode(bytes, Encoding.UTF8));
    }

    [Fact]
    public void WindowsCharactersBetweenSequencesAndATruncatedSequenceAtTheEnd()
    {
        // "–" as UTF-8 (E2 80 93), then "„" (84) and "“" (93) as Windows-1252, then a lone E4 (ä) at the end.
        byte[] bytes = [0xE2, 0x80, 0x93, 0x20, 0x84, 0x4E, 0x93, 0x20, 0xE4];

        Assert.Equal("– „N“ ä", MixedUtf8.Decode(bytes, Windows1252));
        Assert.Equal(new Utf8Analysis(1, 3, true), MixedUtf8.Analyse(bytes));
    }

    [Fact]
    public void ALeadingByteOrderMarkIsDroppedAndCountsAsPlausible()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, 0x4F, 0x72, 0x74, 0xDF];

        Assert.Equal("Ortß", MixedUtf8.Decode(bytes, Windows1252));
        Assert.True(MixedUtf8.Analyse(bytes).AllPlausible);
    }

    [Fact]
    public void ASequenceThatWindows1252TextFormsByAccidentIsNotPlausible()
    {
        // "Grüß“" in Windows-1252: ü (FC) is no sequence, but ß“ (DF 93) is valid UTF-8 for U+07D3, an NKo letter.
        byte[] bytes = [0x47, 0x72, 0xFC, 0xDF, 0x93];

        var analysis = MixedUtf8.Analyse(bytes);

        Assert.Equal(new Utf8Analysis(1, 1, false), analysis);
        Assert.Equal("Grüß“", CharsetRepair.Decode(bytes, "utf-8"));
    }

    [Fact]
    public void PureAsciiHasNothingToRepair()
    {
        var bytes = "Einsatznummer: 2026-1"u8.ToArray();

        Assert.Equal(new Utf8Analysis(0, 0, true), MixedUtf8.Analyse(bytes));
        Assert.Equal("Einsatznummer: 2026-1", MixedUtf8.Decode(bytes, Windows1252));
    }

    [Theory]
    [InlineData(0x00A0, true)]
    [InlineData(0x00DF, true)]
    [InlineData(0x0142, true)]
    [InlineData(0x2013, true)]
    [InlineData(0x20AC, true)]
    [InlineData(0x2122, true)]
    [InlineData(0x0080, false)]
    [InlineData(0x07D3, false)]
    [InlineData(0x4E2D, false)]
    [InlineData(0xFFFD, false)]
    public void PlausibleCharactersAreLatinPunctuationAndCurrency(int codePoint, bool plausible) =>
        Assert.Equal(plausible, MixedUtf8.IsPlausible(new Rune(codePoint)));

    private static Encoding CodePagesEncoding(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }
}
