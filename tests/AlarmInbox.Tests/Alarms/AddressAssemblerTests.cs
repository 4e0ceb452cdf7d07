using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Tests.Alarms;

/// <summary>Address parts under labels of their own become one street and one place, and only when their shape is clear.</summary>
public sealed class AddressAssemblerTests
{
    [Theory]
    [InlineData("Hauptstraße", "17a", "12345", "Musterdorf", "Hauptstraße 17a", "12345 Musterdorf")]
    [InlineData("Am Markt", "3-5", "D-12345", "Musterdorf - Oberdorf", "Am Markt 3-5", "D-12345 Musterdorf - Oberdorf")]
    [InlineData("Hauptstraße 17", "17", "12345", "12345 Musterdorf", "Hauptstraße 17", "12345 Musterdorf")]
    [InlineData("Hauptstraße", "siehe Bemerkung", "Musterdorf", "Musterdorf", "Hauptstraße", "Musterdorf")]
    public void HouseNumberAndPostcodeAreJoinedOnlyWhenTheyLookLikeOne(string street, string number, string postcode, string place, string expectedStreet, string expectedPlace)
    {
        var fields = new Dictionary<string, string>
        {
            [AlarmLabels.Strasse] = street,
            [AlarmLabels.Hausnummer] = number,
            [AlarmLabels.Plz] = postcode,
            [AlarmLabels.Ort] = place,
        };

        AddressAssembler.Combine(fields, []);

        Assert.Equal(expectedStreet, fields[AlarmLabels.Strasse]);
        Assert.Equal(expectedPlace, fields[AlarmLabels.Ort]);
    }

    [Theory]
    [InlineData("Birkenweg 12, 12345 Musterdorf", "Birkenweg 12", "12345 Musterdorf")]
    [InlineData("12345 Musterdorf, Birkenweg 12", "Birkenweg 12", "12345 Musterdorf")]
    [InlineData("Musterdorf, Am Anger 3b", "Am Anger 3b", "Musterdorf")]
    [InlineData("Birkenweg 12", "Birkenweg 12", null)]
    [InlineData("Lindenstraße", "Lindenstraße", null)]
    [InlineData("12345 Musterdorf", null, "12345 Musterdorf")]
    [InlineData("Musterdorf - Oberdorf", null, "Musterdorf - Oberdorf")]
    [InlineData("Sporthalle, Birkenweg 12, 12345 Musterdorf", null, null)]
    [InlineData("BAB A3 km 112,5 Richtung Nord", null, null)]
    [InlineData("Birkenweg 12, Birkenweg 14", null, null)]
    [InlineData("leitstelle@ils-musterland.example", null, null)]
    [InlineData("Birkenweg 12, Tel. 01234 5678", null, null)]
    [InlineData("Musterdorf (Oberdorf)", null, "Musterdorf (Oberdorf)")]
    public void AWholeAddressIsSplitOnlyInARecognisedShape(string value, string? street, string? place)
    {
        Assert.Equal((street, place), AddressAssembler.Split(value));
    }

    [Fact]
    public void AWholeAddressFillsOnlyTheMissingParts()
    {
        var fields = new Dictionary<string, string>
        {
            [AlarmLabels.Einsatzort] = "Birkenweg 12, 12345 Musterdorf",
            [AlarmLabels.Strasse] = "Birkenweg 12a",
        };

        AddressAssembler.Combine(fields, []);

        Assert.Equal("Birkenweg 12a", fields[AlarmLabels.Strasse]);
        Assert.Equal("12345 Musterdorf", fields[AlarmLabels.Ort]);
    }
}
