using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Tests.Alarms;

/// <summary>The pure rule that tells a repeated mail from another mail under a reused Message-ID.</summary>
public sealed class ReusedMessageIdRuleTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnotherIncidentNumberDiffers() =>
        Assert.True(ReusedMessageId.Differs(Revision("B3", ("Einsatznummer", "2026-1")), Evaluation("B3", "2026-2", ("Einsatznummer", "2026-2"))));

    [Fact]
    public void AnotherKeywordDiffers() =>
        Assert.True(ReusedMessageId.Differs(Revision("B2 Brand Carport", ("Einsatznummer", "2026-1")), Evaluation("B3 Wohnhausbrand", "2026-1", ("Einsatznummer", "2026-1"))));

    [Fact]
    public void AnotherStreetDiffers() =>
        Assert.True(ReusedMessageId.Differs(Revision("B3", (AlarmLabels.Strasse, "Hauptstraße 1")), Evaluation("B3", null, (AlarmLabels.Strasse, "Hauptstraße 11"))));

    [Fact]
    public void TheSameFieldsWithOtherLineBreaksAgree() =>
        Assert.False(ReusedMessageId.Differs(Revision("B3  Wohnhausbrand", ("Ort", "Musterdorf\n Nord")), Evaluation("B3 Wohnhausbrand", null, ("Ort", "Musterdorf Nord"))));

    [Fact]
    public void AFieldOnlyOneSideHasDoesNotCount() =>
        Assert.False(ReusedMessageId.Differs(Revision("B3", ("Ort", "Musterdorf"), ("Fahrzeug", "HLF 1")), Evaluation("B3", null, ("Ort", "Musterdorf"), (AlarmLabels.Bemerkung, "Zufahrt über Hof"))));

    [Fact]
    public void ACustomFieldThatDiffersDoesNotCount() =>
        Assert.False(ReusedMessageId.Differs(Revision("B3", ("Fahrzeug", "HLF 1")), Evaluation("B3", null, ("Fahrzeug", "DLK 23"))));

    [Fact]
    public void NoFieldsAtAllAgree() =>
        Assert.False(ReusedMessageId.Differs(Revision(null), Evaluation(null, null)));

    private static AlarmRevision Revision(string? keyword, params (string Label, string Value)[] fields) => new()
    {
        Revision = 1,
        Source = new AlarmSource { MailboxId = "mbx-1", UidValidity = 1, Uid = 1, MessageId = "fixed@ils.example", SentAt = At },
        EvaluatedAt = At,
        Keyword = keyword,
        Fields = fields.ToDictionary(f => f.Label, f => f.Value),
    };

    private static AlarmEvaluation Evaluation(string? keyword, string? incidentNumber, params (string Label, string Value)[] fields) => new()
    {
        IsAlarm = true,
        Keyword = keyword,
        IncidentNumber = incidentNumber,
        Fields = fields.ToDictionary(f => f.Label, f => f.Value),
    };
}
