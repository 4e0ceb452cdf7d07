using System.Text;
using System.Text.Json;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mime;
using Xunit;

namespace AlarmInbox.Tests.Mime;

public sealed class MailDecoderTests
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Corpus", "mail");

    private static readonly DateTimeOffset FetchedAt = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private readonly MailDecoder _decoder = new();

    public static TheoryData<string> CorpusMails()
    {
        var data = new TheoryData<string>();
        foreach (var property in ReadExpected().EnumerateObject())
        {
            if (property.Name != "_about")
            {
                data.Add(property.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusMails))]
    public void CorpusMailDecodesAsExpected(string fileName)
    {
        var expected = ReadExpected().GetProperty(fileName);

        var mail = DecodeCorpusMail(fileName);

        Assert.Equal(expected.GetProperty("subject").GetString(), mail.Subject);
        Assert.Equal(expected.GetProperty("from").GetString(), mail.From);
        Assert.Equal(expected.GetProperty("messageId").GetString(), mail.MessageId);
        if (expected.TryGetProperty("fromName", out var fromName))
        {
            Assert.Equal(fromName.GetString(), mail.FromName);
        }

        if (expected.TryGetProperty("attachments", out var attachments))
        {
            Assert.Equal(
                attachments.EnumerateArray().Select(a => a.GetString()).ToList(),
                mail.Attachments.Select(a => a.FileName).ToList());
        }

        if (expected.TryGetProperty("textContains", out var textContains))
        {
            Assert.Contains(textContains.GetString()!, mail.Text, StringComparison.Ordinal);
        }

        if (expected.TryGetProperty("attachedMessage", out var attached))
        {
            AssertAttached(attached, mail.AttachedMessage);
        }
        else
        {
            Assert.Null(mail.AttachedMessage);
        }

        Assert.DoesNotContain('\u00C3', mail.Subject + mail.Text + mail.FromName);
    }

    [Fact]
    public void BothAlternativesOfAMislabelledMultipartAlternativeAreRepaired()
    {
        // 17: the plain part is iso-8859-15 8bit, the HTML part windows-1252 base64, both UTF-8 bytes. Without the plain
        // text the HTML alternative is rendered, and it must be repaired as well.
        var raw = File.ReadAllBytes(Path.Combine(CorpusDirectory, "17-alternative-both-mislabelled.eml"));
        var latin1 = Encoding.Latin1.GetString(raw);
        var plainStart = latin1.IndexOf("Einsatznummer:", StringComparison.Ordinal);
        var plainEnd = latin1.IndexOf("\n--alt-2026213017", plainStart, StringComparison.Ordinal);
        var htmlOnly = Encoding.Latin1.GetBytes(latin1[..plainStart] + latin1[plainEnd..]);

        var both = DecodeCorpusMail("17-alternative-both-mislabelled.eml");
        var html = DecodeBytes(htmlOnly);

        Assert.Contains("Straße: Äußere Ringstraße 2", both.Text, StringComparison.Ordinal);
        Assert.Contains("Straße: Äußere Ringstraße 2", html.Text, StringComparison.Ordinal);
        Assert.Contains("Bemerkung: Zufahrt über Gärtnerweg", html.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>", html.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("iso-8859-1", "Stra\u00dfe", new byte[] { 0x53, 0x74, 0x72, 0x61, 0xC3, 0x9F, 0x65 })]
    [InlineData("windows-1252", "Stra\u00dfe", new byte[] { 0x53, 0x74, 0x72, 0x61, 0xC3, 0x9F, 0x65 })]
    [InlineData("us-ascii", "Stra\u00dfe", new byte[] { 0x53, 0x74, 0x72, 0x61, 0xC3, 0x9F, 0x65 })]
    [InlineData("iso-8859-1", "Stra\u00dfe", new byte[] { 0x53, 0x74, 0x72, 0x61, 0xDF, 0x65 })]
    [InlineData("utf-8", "Stra\u00dfe \u2013", new byte[] { 0x53, 0x74, 0x72, 0x61, 0xDF, 0x65, 0x20, 0x96 })]
    [InlineData(null, "Stra\u00dfe", new byte[] { 0x53, 0x74, 0x72, 0x61, 0xDF, 0x65 })]
    [InlineData("koi8-r", "\u0430", new byte[] { 0xC1 })]
    [InlineData("iso-8859-1", "Caf\u00e9 \u00c3", new byte[] { 0x43, 0x61, 0x66, 0xE9, 0x20, 0xC3 })]
    [InlineData("utf-8", "\u00e4 Stra\u00dfe", new byte[] { 0xC3, 0xA4, 0x20, 0x53, 0x74, 0x72, 0x61, 0xDF, 0x65 })]
    [InlineData(null, "\u00fc\u00df \u2013", new byte[] { 0xC3, 0xBC, 0xDF, 0x20, 0xE2, 0x80, 0x93 })]
    [InlineData("iso-8859-1", "\u00e4\u00f6\u00fc \u00df", new byte[] { 0xC3, 0xA4, 0xC3, 0xB6, 0xC3, 0xBC, 0x20, 0xDF })]
    [InlineData("iso-8859-1", "\u00c3\u00a4 \u00df\u00fc", new byte[] { 0xC3, 0xA4, 0x20, 0xDF, 0xFC })]
    [InlineData("iso-8859-1", "\u201eN\u201c \u2013", new byte[] { 0x84, 0x4E, 0x93, 0x20, 0x96 })]
    [InlineData("ANSI_X3.4-1968", "Stra\u00dfe", new byte[] { 0x53, 0x74, 0x72, 0x61, 0xC3, 0x9F, 0x65 })]
    [InlineData("cp1252", "\u2013\u00e4", new byte[] { 0x96, 0xE4 })]
    [InlineData("\"UTF_8\"", "\u00e4", new byte[] { 0xC3, 0xA4 })]
    [InlineData("latin9", "\u20ac", new byte[] { 0xA4 })]
    [InlineData("x-unknown", "\u00e4\u00df", new byte[] { 0xC3, 0xA4, 0xDF })]
    [InlineData("iso-8859-1", "Stra\u00dfe", new byte[] { 0xFF, 0xFE, 0x53, 0x00, 0x74, 0x00, 0x72, 0x00, 0x61, 0x00, 0xDF, 0x00, 0x65, 0x00 })]
    [InlineData(null, "Ort", new byte[] { 0xFE, 0xFF, 0x00, 0x4F, 0x00, 0x72, 0x00, 0x74 })]
    [InlineData("utf-16", "Ort", new byte[] { 0xFF, 0xFE, 0x4F, 0x00, 0x72, 0x00, 0x74, 0x00 })]
    public void CharsetRepairDecodesMislabelledUtf8AndInvalidUtf8(string? declared, string text, byte[] bytes) =>
        Assert.Equal(text, CharsetRepair.Decode(bytes, declared));

    [Theory]
    [InlineData("utf8", "utf-8")]
    [InlineData("\"UTF_8\"", "utf-8")]
    [InlineData("x-unicode20utf8", "utf-8")]
    [InlineData("latin1", "iso-8859-1")]
    [InlineData("ISO8859-15", "iso-8859-15")]
    [InlineData("iso_8859-2", "iso-8859-2")]
    [InlineData("cp1252", "windows-1252")]
    [InlineData("x-cp1250", "windows-1250")]
    [InlineData("Windows1252", "windows-1252")]
    [InlineData("win-1252", "windows-1252")]
    [InlineData("ANSI_X3.4-1968", "us-ascii")]
    [InlineData("iso-8859-1*de", "iso-8859-1")]
    [InlineData("koi8-r", "koi8-r")]
    [InlineData(" ", "")]
    public void CharsetNamesAreNormalisedToTheNamesDotNetKnows(string name, string normalised) =>
        Assert.Equal(normalised, CharsetNames.Normalise(name));

    [Theory]
    [InlineData("=?iso-8859-1?Q?Stra=C3=9Fe?=", "Straße")]
    [InlineData("=?iso-8859-1?Q?Stra=DFe?=", "Straße")]
    [InlineData("=?utf-8?B?U3RyYcOf?= =?utf-8?B?ZQ==?=", "Straße")]
    [InlineData("=?iso-8859-1?Q?Stra=C3?=\r\n =?iso-8859-1?Q?=9Fe?= Nord", "Straße Nord")]
    [InlineData("Alarm =?utf-8?Q?f=C3=BCr?= FF", "Alarm für FF")]
    [InlineData("=?utf-8?Q?kaputt", "=?utf-8?Q?kaputt")]
    [InlineData("=?utf-8?Q?B3 Brand Stra=C3=9Fe?=", "B3 Brand Straße")]
    [InlineData("=?utf-8?Q?F=C3=BCr\r\n th?= Nord", "Fürth Nord")]
    [InlineData("=?utf-8?B?RsO8\r\n cnRo?=", "Fürth")]
    [InlineData("=?UTF8?Q?Stra=C3=9Fe?=", "Straße")]
    [InlineData("Stra\u00c3\u009fe Gro\u00df", "Straße Groß")]
    public void EncodedWordsAreDecodedWithCharsetRepair(string raw, string text) =>
        Assert.Equal(text, HeaderText.Decode(Encoding.Latin1.GetBytes(raw)));

    [Fact]
    public void EveryCorpusMailHasAnExpectedEntry()
    {
        var expected = ReadExpected();
        var files = Directory.GetFiles(CorpusDirectory, "*.eml").Select(Path.GetFileName).ToList();

        Assert.Equal(63, files.Count);
        Assert.All(files, file => Assert.True(expected.TryGetProperty(file!, out _), file + " has no entry in expected.json"));
    }

    [Fact]
    public void EveryExpectedEntryHasACorpusMail()
    {
        var names = ReadExpected().EnumerateObject().Select(p => p.Name).Where(n => n != "_about").ToList();

        Assert.All(names, name => Assert.True(File.Exists(Path.Combine(CorpusDirectory, name)), name + " is listed but missing"));
    }

    [Theory]
    [InlineData("Diese Nachricht enth=C3=A4lt HTML.")]
    [InlineData("This is an HTML message. Please use an HTML capable mail program to read this message.")]
    [InlineData("")]
    [InlineData("   =0D=0A  =0D=0A")]
    [InlineData("Bitte =C3=B6ffnen Sie die Nachricht in der HTML-Ansicht.")]
    [InlineData("Alarm")]
    [InlineData("Einsatznummer: 2026-1")]
    public void APlainAlternativeThatIsAStubLosesToTheHtmlAlternativeWithTheAlarm(string plain)
    {
        var mail = DecodeRaw(Alternative(plain, "<table><tr><td>Einsatznummer</td><td>2026-1</td></tr><tr><td>Stichwort</td><td>B3 Brand</td></tr><tr><td>Ort</td><td>Musterdorf</td></tr></table>"));

        Assert.Equal("Einsatznummer: 2026-1\nStichwort: B3 Brand\nOrt: Musterdorf", mail.Text);
    }

    [Theory]
    [InlineData("Einsatznummer: 2026-1=0D=0AStichwort: B3 Brand=0D=0AOrt: Musterdorf", "<p>Einsatznummer: 2026-1<br>Stichwort: B3 Brand<br>Ort: Musterdorf</p><p>Mit freundlichen Gr&uuml;&szlig;en, Ihre Integrierte Leitstelle Musterland. Diese Nachricht ist vertraulich.</p>")]
    [InlineData("Einsatznummer: 2026-1=0D=0AStichwort: B3 Brand=0D=0AOrt: Musterdorf", "<p>Einsatznummer: 2026-1</p>")]
    [InlineData("Einsatz 2026-1, B3 Brand in Musterdorf", "<p>Einsatz 2026-1, B3 Brand in Musterdorf, Zufahrt Hof</p>")]
    public void APlainAlternativeThatCarriesTheContentIsKept(string plain, string html)
    {
        var mail = DecodeRaw(Alternative(plain, html));

        Assert.Equal(plain.Replace("=0D=0A", "\n", StringComparison.Ordinal), mail.Text);
    }

    [Fact]
    public void FlowedPlainTextIsJoinedBeforeTheLabelsAreRead()
    {
        var mail = DecodeCorpusMail("44-format-flowed-delsp.eml");

        Assert.Contains("Bemerkung: Starke Rauchentwicklung aus Halle 3, Personen vermutlich noch im Gebäude, Zufahrt über Tor 2 freihalten\n", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Einsatzmittel: HLF 20, DLK 23, ELW 1, RW\nFrom the dispatch centre\n--\nILS Musterland", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlOnlyMailRendersTableRowsAsLabelValueLines()
    {
        var mail = DecodeCorpusMail("03-html-only-table.eml");

        Assert.Equal(
            "Einsatznummer: 2026-113460\n"
            + "Stichwort: THL 2 Verkehrsunfall eingeklemmte Person\n"
            + "Ort: B 37 zwischen Musterdorf und Nachbarhausen\n"
            + "Bemerkung: PKW gegen Baum, Fahrer eingeklemmt, Rettungshubschrauber angefordert. Zufahrt über Feldweg.\n"
            + "Alarmzeit: 29.11.2026 22:41:10",
            mail.Text);
        Assert.Empty(mail.Attachments);
    }

    [Fact]
    public void RawEightBitHeaderThatIsNotUtf8DecodesAsWindows1252()
    {
        var mail = DecodeCorpusMail("06-raw-8bit-cp1252-subject.eml");

        Assert.Equal("B1 Brand Gebäude \u2013 Müllraum", mail.Subject);
    }

    [Fact]
    public void Windows1252BodyDecodesEnDash()
    {
        var mail = DecodeCorpusMail("06-raw-8bit-cp1252-subject.eml");

        Assert.Equal("Einsatznummer: 2026-113490\nStichwort: B1 Brand Gebäude \u2013 Müllraum\nStraße: Schloßstraße 12", mail.Text);
    }

    [Fact]
    public void RawEightBitUtf8HeaderStillDecodesAsUtf8()
    {
        var mail = DecodeRaw("From: a@ils.example\r\nSubject: Stra\u00dfe \u2013 Br\u00fccke\r\n\r\nx\r\n");

        Assert.Equal("Straße – Brücke", mail.Subject);
    }

    [Fact]
    public void QuotedPrintableLatin1MailDecodesHeadersAndJoinsSoftLineBreaks()
    {
        var mail = DecodeCorpusMail("02-latin1-quoted-printable.eml");

        Assert.Equal("Leitstelle Münsterland", mail.FromName);
        Assert.Equal("H1 Türöffnung Große Gasse", mail.Subject);
        Assert.Contains("Bemerkung: Ältere Person hilflos hinter Tür, Schlüsseldienst nicht erreichbar\n", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void MultipartAlternativeUsesThePlainTextPartAndListsNoAttachments()
    {
        var mail = DecodeCorpusMail("04-multipart-alternative.eml");

        Assert.Equal(
            "Einsatznummer: 2026-113470\nStichwort: F2 Brand Scheune\nOrt: 12346 Nachbarhausen, Hofstelle Am Bach 2\nAlarmzeit: 30.11.2026 03:12:00",
            mail.Text);
        Assert.Empty(mail.Attachments);
    }

    [Fact]
    public void PdfAttachmentIsListedWithTypeAndDecodedSize()
    {
        var mail = DecodeCorpusMail("05-pdf-attachment.eml");

        Assert.Equal([new MailAttachment("Alarmfax_2026-113480.pdf", "application/pdf", 193)], mail.Attachments);
        Assert.Equal("Alarmfax im Anhang.\nEinsatznummer: 2026-113480\nStichwort: B2 Kaminbrand", mail.Text);
    }

    [Fact]
    public void XmlAttachmentIsListedWithTypeAndDecodedSize()
    {
        var mail = DecodeCorpusMail("11-xml-incident-attachment.eml");

        Assert.Equal([new MailAttachment("einsatz.xml", "application/xml", 348)], mail.Attachments);
        Assert.Equal("Einsatzdaten im Anhang (XML).", mail.Text);
    }

    [Fact]
    public void Base64BodyIsDecoded()
    {
        var mail = DecodeCorpusMail("12-base64-single-line.eml");

        Assert.StartsWith("Einsatznummer: 2026-113530 Stichwort: B2 Flächenbrand Ort: Waldgebiet Hohe Eiche, Zufahrt Forstweg 3", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void HeadersAndEnvelopeValuesAreCopied()
    {
        var internalDate = new DateTimeOffset(2026, 11, 29, 19, 15, 4, TimeSpan.Zero);
        using var stream = File.OpenRead(Path.Combine(CorpusDirectory, "01-plain-utf8-keyvalue.eml"));

        var mail = _decoder.Decode(stream, 77, 1234, internalDate, 4321, FetchedAt, CancellationToken.None);

        Assert.Equal(77u, mail.UidValidity);
        Assert.Equal(1234u, mail.Uid);
        Assert.Equal(internalDate, mail.InternalDate);
        Assert.Equal(4321, mail.Size);
        Assert.Equal(FetchedAt, mail.FetchedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 20, 15, 3, TimeSpan.FromHours(1)), mail.Date);
        Assert.Equal("ILS Musterland", mail.FromName);
        Assert.Equal(["alarm@ff-musterdorf.example"], mail.To);
        Assert.False(mail.TextTruncated);
    }

    [Fact]
    public void MissingMessageIdGivesNull()
    {
        var mail = DecodeCorpusMail("07-no-message-id.eml");

        Assert.Null(mail.MessageId);
    }

    [Fact]
    public void MissingDateGivesNull()
    {
        var mail = DecodeRaw("From: a@ils.example\r\nSubject: B1\r\n\r\nText\r\n");

        Assert.Null(mail.Date);
    }

    [Fact]
    public void MissingSubjectFromAndToGiveEmptyOrNullValues()
    {
        var mail = DecodeRaw("Date: Mon, 30 Nov 2026 09:00:00 +0100\r\n\r\nText\r\n");

        Assert.Equal("", mail.Subject);
        Assert.Null(mail.From);
        Assert.Null(mail.FromName);
        Assert.Empty(mail.To);
        Assert.Equal("Text", mail.Text);
    }

    [Fact]
    public void ToAddressesAreDecodedAndGroupsFlattened()
    {
        var mail = DecodeRaw(
            "From: a@ils.example\r\n"
            + "To: =?utf-8?q?Wache_S=C3=BCd?= <wache-sued@ff.example>, Zug 1: eins@ff.example, zwei@ff.example;,\r\n"
            + " drei@ff.example\r\n"
            + "Cc: vier@ff.example\r\n\r\nText\r\n");

        Assert.Equal(["wache-sued@ff.example", "eins@ff.example", "zwei@ff.example", "drei@ff.example"], mail.To);
    }

    [Fact]
    public void FromWithoutDisplayNameGivesNullFromName()
    {
        var mail = DecodeCorpusMail("03-html-only-table.eml");

        Assert.Equal("alarmierung@ils-musterland.example", mail.From);
        Assert.Null(mail.FromName);
    }

    [Fact]
    public void BodyLongerThanMaxTextLengthIsTruncated()
    {
        var body = new string('x', MailMessage.MaxTextLength + 100);

        var mail = DecodeRaw("From: a@ils.example\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n");

        Assert.True(mail.TextTruncated);
        Assert.Equal(MailMessage.MaxTextLength, mail.Text.Length);
    }

    [Fact]
    public void BodyOfExactlyMaxTextLengthIsNotTruncated()
    {
        var body = new string('x', MailMessage.MaxTextLength);

        var mail = DecodeRaw("From: a@ils.example\r\n\r\n" + body + "\r\n\r\n");

        Assert.False(mail.TextTruncated);
        Assert.Equal(MailMessage.MaxTextLength, mail.Text.Length);
    }

    [Fact]
    public void LineEndingsAreNormalisedAndTrailingWhitespaceTrimmed()
    {
        var mail = DecodeRaw("From: a@ils.example\r\n\r\nEinsatznummer: 1  \r\nStichwort: B1\t\r\n\r\n  \r\n");

        Assert.Equal("Einsatznummer: 1\nStichwort: B1", mail.Text);
    }

    [Fact]
    public void NonTextInlinePartIsListedAsAttachmentButHtmlBodyIsNot()
    {
        var mail = DecodeRaw(
            "From: a@ils.example\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/related; boundary=\"b\"\r\n\r\n"
            + "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Karte: <img src=\"cid:map\"></p>\r\n"
            + "--b\r\nContent-Type: image/PNG\r\nContent-ID: <map>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
            + "--b--\r\n");

        Assert.Equal("Karte:", mail.Text);
        Assert.Equal([new MailAttachment(null, "image/png", 8)], mail.Attachments);
    }

    [Fact]
    public void TextAttachmentIsListedAndNotUsedAsBody()
    {
        var mail = DecodeRaw(
            "From: a@ils.example\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            + "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename*=utf-8''Einsatzbericht%20S%C3%BCd.txt\r\n\r\nAnhang\r\n"
            + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nEinsatznummer: 2026-1\r\n"
            + "--b--\r\n");

        Assert.Equal("Einsatznummer: 2026-1", mail.Text);
        Assert.Equal([new MailAttachment("Einsatzbericht Süd.txt", "text/plain", 6)], mail.Attachments);
    }

    [Fact]
    public void SoftHyphensAndZeroWidthSpacesInsideLabelsAreDropped()
    {
        var plain = DecodeRaw("From: a@ils.example\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nEinsatz\u00adnummer: 2026-1\r\nStich\u200bwort:\u2060 B3\ufeff\r\n");
        var html = HtmlTextRenderer.Render("<p>Einsatz&shy;nummer: 2026-1<br>Stich&#8203;wort: B3</p><pre>Stra&#173;&szlig;e: X</pre>");

        Assert.Equal("Einsatznummer: 2026-1\nStichwort: B3", plain.Text);
        Assert.Equal("Einsatznummer: 2026-1\nStichwort: B3\n\nStraße: X", html);
    }

    [Fact]
    public void PlainTextPartsAroundAnInlineImageAreJoined()
    {
        var mail = DecodeRaw(
            "From: a@ils.example\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nEinsatznummer: 2026-1\r\nStichwort: B3\r\n"
            + "--b\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
            + "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Disposition: inline\r\n\r\nStra\u00dfe: Am Markt 1\r\n"
            + "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename=log.txt\r\n\r\nOrt: nicht lesen\r\n"
            + "--b--\r\n");

        Assert.Equal("Einsatznummer: 2026-1\nStichwort: B3\n\nStraße: Am Markt 1", mail.Text);
    }

    [Fact]
    public void ParseRejectsAStreamWithoutAMessage()
    {
        using var stream = new MemoryStream();

        Assert.ThrowsAny<FormatException>(() => _decoder.Parse(stream, CancellationToken.None));
    }

    private static void AssertAttached(JsonElement expected, MailAttachedMessage? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.GetProperty("subject").GetString(), actual.Subject);
        Assert.Equal(expected.GetProperty("from").GetString(), actual.From);
        Assert.Equal(expected.GetProperty("messageId").GetString(), actual.MessageId);
        Assert.Equal(expected.TryGetProperty("attachedAs", out var attachedAs) ? attachedAs.GetString() : "message/rfc822", actual.AttachedAs);
        if (expected.TryGetProperty("attachedMessage", out var inner))
        {
            AssertAttached(inner, actual.AttachedMessage);
        }
        else
        {
            Assert.Null(actual.AttachedMessage);
        }
    }

    private static JsonElement ReadExpected()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(CorpusDirectory, "expected.json")));
        return document.RootElement.Clone();
    }

    private MailMessage DecodeCorpusMail(string fileName)
    {
        var path = Path.Combine(CorpusDirectory, fileName);
        using var stream = File.OpenRead(path);
        return _decoder.Decode(stream, 1, 1, null, new FileInfo(path).Length, FetchedAt, CancellationToken.None);
    }

    /// <summary>A multipart/alternative mail of a quoted-printable plain part and an HTML part.</summary>
    private static string Alternative(string quotedPrintablePlain, string html) =>
        "From: a@ils.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
        + "--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + quotedPrintablePlain + "\r\n"
        + "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>" + html + "</body></html>\r\n"
        + "--alt--\r\n";

    [Theory]
    [InlineData("Siehe Anhang.", "text/plain; charset=utf-8", "alarm.txt", "Siehe Anhang.\n\nEinsatznummer: 2026-7\nStichwort: B1")]
    [InlineData("", "application/octet-stream", "ALARM.TXT", "Einsatznummer: 2026-7\nStichwort: B1")]
    [InlineData("Einsatznummer: 2026-8", "text/plain; charset=utf-8", "alarm.txt", "Einsatznummer: 2026-8")]
    [InlineData("Siehe Anhang.", "text/csv", "alarm.csv", "Siehe Anhang.")]
    public void APlainTextAttachmentWithLabelsIsAddedToABodyWithoutLabels(string body, string contentType, string fileName, string text)
    {
        var mail = DecodeRaw(MixedWithAttachment(body, contentType, fileName, "Einsatznummer: 2026-7\r\nStichwort: B1\r\n"));

        Assert.Equal(text, mail.Text);
        Assert.Equal([fileName], mail.Attachments.Select(a => a.FileName));
    }

    [Fact]
    public void APlainTextAttachmentWithoutLabelsIsNotAdded()
    {
        var mail = DecodeRaw(MixedWithAttachment("Siehe Anhang.", "text/plain; charset=utf-8", "log.txt", "Zeile 1\r\nZeile 2\r\n"));

        Assert.Equal("Siehe Anhang.", mail.Text);
    }

    private static string MixedWithAttachment(string body, string contentType, string fileName, string attachment) =>
        "From: ILS <alarmierung@ils-musterland.example>\r\nSubject: Alarm\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n"
        + "--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
        + "--mix\r\nContent-Type: " + contentType + "\r\nContent-Disposition: attachment; filename=\"" + fileName + "\"\r\n\r\n"
        + attachment + "--mix--\r\n";

    private MailMessage DecodeRaw(string raw) => DecodeBytes(Encoding.UTF8.GetBytes(raw));

    private MailMessage DecodeBytes(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return _decoder.Decode(stream, 1, 1, null, bytes.Length, FetchedAt, CancellationToken.None);
    }
}
