using AlarmInbox.Grains.Mime;

namespace AlarmInbox.Tests.Mime;

/// <summary>RFC 3676 format=flowed: soft line breaks joined, space-stuffing removed.</summary>
public sealed class FlowedTextTests
{
    [Theory]
    [InlineData("Bemerkung: Zufahrt \r\nüber Hof\r\nOrt: X\r\n", false, "Bemerkung: Zufahrt über Hof\nOrt: X\n")]
    [InlineData("Bemerkung: Zu \r\nfahrt\r\n", true, "Bemerkung: Zufahrt\n")]
    [InlineData("Bemerkung: Zufahrt  \r\nüber Hof", true, "Bemerkung: Zufahrt über Hof")]
    [InlineData(" From here\n  two\n", false, "From here\n two\n")]
    [InlineData("Gruß \n-- \nILS", false, "Gruß \n-- \nILS")]
    [InlineData("-- \nILS", false, "-- \nILS")]
    [InlineData("> zitiert \n> weiter\nneu", false, "> zitiert weiter\nneu")]
    [InlineData("> zitiert \nneu", false, "> zitiert \nneu")]
    [InlineData("", false, "")]
    public void SoftLineBreaksAreJoinedAndStuffingIsRemoved(string text, bool delSp, string expected) =>
        Assert.Equal(expected, FlowedText.Unflow(text, delSp));
}
