using System.Text;
using System.Text.Json;
using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mime;
using AlarmInbox.Grains.Resilience;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Alarms;

/// <summary>The pure evaluator on the corpus and on hand-made mails.</summary>
public sealed class AlarmEvaluatorTests(ITestOutputHelper output)
{
    /// <summary>The corpus settings: only the dispatch centre's domain, keyword by <c>Auto</c> (the 'Stichwort:' line, else the XML attachment, else the subject).</summary>
    internal static readonly EvaluationSettings CorpusSettings = new()
    {
        AllowedSenders = ["ils-musterland.example"],
        KeywordSource = KeywordSource.Auto,
    };

    private static readonly DateTimeOffset Now = new(2026, 11, 30, 15, 0, 0, TimeSpan.Zero);

    private readonly AlarmEvaluator _evaluator = NewEvaluator();

    public static TheoryData<string> CorpusMails()
    {
        var data = new TheoryData<string>();
        foreach (var property in ReadExpected().EnumerateObject().Where(p => p.Name != "_about"))
        {
            data.Add(property.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusMails))]
    public void CorpusMailYieldsExpectedIncidentNumberKeywordAndAlarmDecision(string fileName)
    {
        var expected = ReadExpected().GetProperty(fileName);

        var evaluation = _evaluator.Evaluate(Decode(fileName), CorpusSettings, Now);

        Assert.Equal(expected.GetProperty("incidentNumber").GetString(), evaluation.IncidentNumber);
        Assert.Equal(expected.GetProperty("keyword").GetString(), evaluation.Keyword);
        Assert.Equal(expected.GetProperty("isAlarm").GetBoolean(), evaluation.IsAlarm);
        Assert.Empty(evaluation.RuleErrors);
        if (expected.TryGetProperty("originalFrom", out var originalFrom))
        {
            Assert.Equal(originalFrom.GetString(), evaluation.OriginalFrom);
        }

        AssertExpectedAlarmContent(expected, evaluation);
    }

    [Theory]
    [MemberData(nameof(CorpusMails))]
    public void CorpusMailPassesASenderFilterNamingOnlyTheDispatchCentreAddressExactlyWhenExpected(string fileName)
    {
        var expected = ReadExpected().GetProperty(fileName);
        var settings = CorpusSettings with { AllowedSenders = ["alarmierung@ils-musterland.example"] };

        var evaluation = _evaluator.Evaluate(Decode(fileName), settings, Now);

        Assert.Equal(expected.GetProperty("isAlarm").GetBoolean(), evaluation.IsAlarm);
    }

    /// <summary>Fields, position, rejection code and alarm text where expected.json names them (mails 13 and later).</summary>
    internal static void AssertExpectedAlarmContent(JsonElement expected, AlarmEvaluation evaluation)
    {
        if (expected.TryGetProperty("fields", out var fields))
        {
            foreach (var field in fields.EnumerateObject())
            {
                Assert.True(evaluation.Fields.TryGetValue(field.Name, out var value), $"field {field.Name} missing");
                Assert.Equal(field.Value.GetString(), value);
            }
        }

        if (expected.TryGetProperty("position", out var position))
        {
            Assert.Equal(new GeoPosition(position[0].GetDouble(), position[1].GetDouble()), evaluation.Position);
        }

        if (expected.TryGetProperty("rejection", out var rejection))
        {
            Assert.Equal(rejection.GetString(), evaluation.Rejection?.Code);
        }

        if (expected.TryGetProperty("alarmText", out var alarmText))
        {
            Assert.Contains(alarmText.GetString()!, evaluation.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KeywordSourceAutoTakesTheLabelThenTheXmlKeywordThenTheSubjectWhileSubjectAndLabelKeepTheirRules()
    {
        var labelled = Decode("34-subject-differs-from-stichwort.eml");
        var xml = Decode("36-xml-keyword-subject-differs.eml");
        var subjectOnly = Decode("35-no-stichwort-keyword-from-subject.eml");
        var empty = Decode("32-empty-subject.eml");
        string? Keyword(MailMessage mail, KeywordSource source) => _evaluator.Evaluate(mail, CorpusSettings with { KeywordSource = source }, Now).Keyword;

        Assert.Equal(["B2 Brand PKW", "B3 Brand Werkstatt", "B1 Brand Hecke", "H1 Tierrettung"], new[] { labelled, xml, subjectOnly, empty }.Select(m => Keyword(m, KeywordSource.Auto)));
        Assert.Equal(["Alarm für FF Musterdorf - Alarmstufe 2", "Alarmierung 2026-213036", "B1 Brand Hecke", null], new[] { labelled, xml, subjectOnly, empty }.Select(m => Keyword(m, KeywordSource.Subject)));
        Assert.Equal(["B2 Brand PKW", "B3 Brand Werkstatt", null, "H1 Tierrettung"], new[] { labelled, xml, subjectOnly, empty }.Select(m => Keyword(m, KeywordSource.Label)));
        Assert.Equal(KeywordSource.Auto, new EvaluationSettings().KeywordSource);
    }

    [Fact]
    public void LateIsOneDefinitionDateElseServerReceiveTime()
    {
        var settings = CorpusSettings with { LateAfterMinutes = 10 };
        var sent = Now.AddMinutes(-11);
        var dated = new MailMessage { UidValidity = 1, Uid = 1, Date = sent, InternalDate = Now.AddMinutes(-1), FetchedAt = Now, Text = "Einsatznummer: 1" };
        var undated = dated with { Date = null };
        var receivedLate = dated with { Date = null, InternalDate = sent };

        Assert.True(AlarmEvaluator.IsLate(dated, settings, Now));
        Assert.False(AlarmEvaluator.IsLate(undated, settings, Now));
        Assert.True(AlarmEvaluator.IsLate(receivedLate, settings, Now));
        Assert.False(AlarmEvaluator.IsLate(dated, settings with { LateAfterMinutes = 0 }, Now));
        Assert.True(_evaluator.Evaluate(dated, settings, Now).Late);
        Assert.False(_evaluator.Evaluate(undated, settings, Now).Late);
    }

    [Fact]
    public void EveryCorpusMailIsEvaluatedInAFewMilliseconds()
    {
        var mails = ReadExpected().EnumerateObject().Where(p => p.Name != "_about").Select(p => Decode(p.Name)).ToList();
        _evaluator.Evaluate(mails[0], CorpusSettings, Now);

        // The evaluating thread's CPU time, not the wall clock: on a loaded machine the thread waits for a core, which is
        // not the evaluator's cost. (Evaluation is synchronous on this thread.)
        var started = ThreadCpuTime.Now();
        const int Rounds = 50;
        for (var i = 0; i < Rounds; i++)
        {
            foreach (var mail in mails)
            {
                _evaluator.Evaluate(mail, CorpusSettings, Now);
            }
        }

        var perMail = (ThreadCpuTime.Now() - started).TotalMilliseconds / (Rounds * mails.Count);
        output.WriteLine($"Evaluation: {perMail:0.000} ms CPU per mail ({mails.Count} corpus mails × {Rounds})");
        Assert.True(perMail < 5, $"evaluation took {perMail:0.000} ms CPU per mail");
    }

    [Fact]
    public void NewsletterIsRejectedBySenderFilterWithReason()
    {
        var evaluation = _evaluator.Evaluate(Decode("09-not-an-alarm-newsletter.eml"), CorpusSettings, Now);

        Assert.False(evaluation.IsAlarm);
        Assert.Equal(AlarmRejectionCodes.SenderNotAllowed, evaluation.Rejection!.Code);
        Assert.Equal("The sender 'news@shop.example' is not in allowedSenders.", evaluation.Rejection.Message);
    }

    [Fact]
    public void ForwardedMailPassesByItsOriginalSenderOnly()
    {
        var mail = Decode("08-forwarded-outlook-rule.eml");

        var allowed = _evaluator.Evaluate(mail, CorpusSettings with { AllowedSenders = ["alarmierung@ils-musterland.example"] }, Now);
        var notTrusted = _evaluator.Evaluate(mail, CorpusSettings with { MatchForwardedSender = false }, Now);

        Assert.True(allowed.IsAlarm);
        Assert.Equal("alarmierung@ils-musterland.example", allowed.MatchedSender);
        Assert.Equal("alarmierung@ils-musterland.example", allowed.OriginalFrom);
        Assert.False(notTrusted.IsAlarm);
        Assert.Equal(AlarmRejectionCodes.SenderNotAllowed, notTrusted.Rejection!.Code);
    }

    [Fact]
    public void PlainMailYieldsEveryBuiltInLabelAndItsPosition()
    {
        var evaluation = _evaluator.Evaluate(Decode("01-plain-utf8-keyvalue.eml"), CorpusSettings, Now);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["Einsatznummer"] = "2026-113456",
                ["Stichwort"] = "B3 Wohnhausbrand",
                ["Schlagwort"] = "Feuer Wohnhaus, Person in Gefahr",
                ["Ort"] = "12345 Musterdorf",
                ["Straße"] = "Lindenweg 7",
                ["Objekt"] = "Mehrfamilienhaus",
                ["Koordinaten"] = "49.412345, 8.694321",
                ["Einsatzmittel"] = "FL MUS 1/42-1, FL MUS 1/11-1, RD MUS 1/83-2",
                ["Bemerkung"] = "Rauch aus Dachgeschoss, 2 Personen vermisst",
                ["Alarmzeit"] = "29.11.2026 20:15:03",
            },
            evaluation.Fields);
        Assert.Equal(new GeoPosition(49.412345, 8.694321), evaluation.Position);
        Assert.Equal("label:Stichwort", evaluation.FieldSources["keyword"]);
        Assert.True(evaluation.Late);
    }

    [Fact]
    public void ValuesOnOneLineEndAtTheNextKnownLabel()
    {
        var evaluation = _evaluator.Evaluate(Decode("12-base64-single-line.eml"), CorpusSettings, Now);

        Assert.Equal("2026-113530", evaluation.Fields["Einsatznummer"]);
        Assert.Equal("B2 Flächenbrand", evaluation.Fields["Stichwort"]);
        Assert.Equal("Waldgebiet Hohe Eiche, Zufahrt Forstweg 3", evaluation.Fields["Ort"]);
    }

    [Fact]
    public void XmlAttachmentYieldsFieldsAndPosition()
    {
        var evaluation = _evaluator.Evaluate(Decode("11-xml-incident-attachment.eml"), CorpusSettings, Now);

        Assert.Equal("xml:einsatz.xml", evaluation.FieldSources["keyword"]);
        Assert.Equal("Mühlenweg 14", evaluation.Fields["Straße"]);
        Assert.Equal("Musterdorf", evaluation.Fields["Ort"]);
        Assert.Equal("FL MUS 1/44-1", evaluation.Fields["Einsatzmittel"]);
        Assert.Equal(new GeoPosition(49.40111, 8.70222), evaluation.Position);
    }

    [Fact]
    public void SubjectKeywordSourceStripsForwardPrefixes()
    {
        var settings = new EvaluationSettings { AllowedSenders = ["ils-musterland.example"], KeywordSource = KeywordSource.Subject };

        Assert.Equal("B4 Wohnhausbrand (Erhoehung)", _evaluator.Evaluate(Decode("10-incident-update-same-number.eml"), settings, Now).Keyword);
        Assert.Equal("B3 Wohnhausbrand", _evaluator.Evaluate(Decode("08-forwarded-outlook-rule.eml"), settings, Now).Keyword);
    }

    [Fact]
    public void CustomRuleNamedGroupsOverrideLabelsAndAreReported()
    {
        var settings = CorpusSettings with
        {
            Labels = ["Meldender"],
            Rules = [new AlarmRule("Fax-Nummer", @"Alarmfax (?<Faxnummer>\d{4}-\d{6})", AlarmRuleSource.Subject)],
        };

        var evaluation = _evaluator.Evaluate(Decode("05-pdf-attachment.eml"), settings, Now);

        Assert.Equal(["Fax-Nummer"], evaluation.MatchedRules);
        Assert.Equal("2026-113480", evaluation.Fields["Faxnummer"]);
        Assert.Equal("rule:Fax-Nummer", evaluation.FieldSources["Faxnummer"]);
    }

    [Fact]
    public void CatastrophicPatternTimesOutIsReportedAndTheRestStillWorks()
    {
        var evaluator = NewEvaluator(TimeSpan.FromMilliseconds(50));
        var mail = new MailMessage
        {
            UidValidity = 1,
            Uid = 1,
            From = "alarmierung@ils-musterland.example",
            Subject = "B1 Test",
            Text = "Einsatznummer: 2026-1\n" + new string('a', 40) + "!",
            FetchedAt = Now,
        };
        var settings = CorpusSettings with { Rules = [new AlarmRule("Katastrophe", @"(?<x>(a|aa)+)$")] };

        // CPU time of this thread: without the timeout the pattern would run for minutes; waiting for a core on a loaded
        // machine is not the pattern's cost.
        var started = ThreadCpuTime.Now();
        var evaluation = evaluator.Evaluate(mail, settings, Now);
        var cpu = ThreadCpuTime.Now() - started;

        var error = Assert.Single(evaluation.RuleErrors);
        Assert.Equal(new RuleError("Katastrophe", "timeout", "The pattern did not finish within 50 ms on this mail; the rule was skipped."), error);
        Assert.Empty(evaluation.MatchedRules);
        Assert.Equal("2026-1", evaluation.IncidentNumber);
        Assert.True(evaluation.IsAlarm);
        Assert.True(cpu < TimeSpan.FromSeconds(5), $"took {cpu} of CPU");
    }

    [Fact]
    public void TwentyCatastrophicRulesShareOneRegexBudgetPerMail()
    {
        // 500 ms per pattern, 1.2 s of the thread's CPU time per mail: on a quiet machine two patterns run in full, one or two
        // more with what is left (whole 10 ms); the rest are skipped without running. A pattern's timeout is wall-clock time
        // (.NET's), so on a loaded machine a timed-out pattern used less CPU and a few more patterns run; the CPU the mail
        // cost stays within the budget plus one pattern's timeout, and that is asserted, with which rules ran.
        var evaluator = new AlarmEvaluator(
            new LabelExtractor(),
            Options.Create(new AlarmOptions { RegexTimeout = TimeSpan.FromMilliseconds(500), RegexBudgetPerMail = TimeSpan.FromMilliseconds(1200) }));
        var mail = new MailMessage
        {
            UidValidity = 1,
            Uid = 1,
            From = "alarmierung@ils-musterland.example",
            Subject = "B1 Test",
            Text = "Einsatznummer: 2026-1\n" + new string('a', 40) + "!",
            FetchedAt = Now,
        };
        var settings = CorpusSettings with { Rules = [.. Enumerable.Range(1, 20).Select(i => new AlarmRule($"Katastrophe{i}", $@"(?<x{i}>(a|aa)+)$"))] };

        var cpu = ThreadCpuClock.Now();
        var evaluation = evaluator.Evaluate(mail, settings, Now);
        cpu = ThreadCpuClock.Now() - cpu;

        // Every rule is reported once, in order: the ones that ran timed out, and once the budget was used up every later
        // one was skipped without running.
        Assert.Equal(20, evaluation.RuleErrors.Count);
        Assert.Equal(settings.Rules.Select(r => r.Name), evaluation.RuleErrors.Select(e => e.Rule));
        Assert.All(evaluation.RuleErrors.SkipWhile(e => e.Code == "timeout"), e => Assert.Equal("budget", e.Code));
        Assert.InRange(evaluation.RuleErrors.Count(e => e.Code == "timeout"), 1, 12);
        Assert.True(evaluation.RuleErrors.Count(e => e.Code == "budget") >= 8);
        Assert.True(cpu < TimeSpan.FromMilliseconds(1200 + 500 + 100), $"the mail cost {cpu} of CPU");
        Assert.Equal("The mail's regular-expression budget of 1200 ms was used up; this was skipped.", evaluation.RuleErrors[^1].Message);
        Assert.Equal("2026-1", evaluation.IncidentNumber);
        Assert.True(evaluation.IsAlarm);
    }

    [Theory]
    [InlineData("49.412345, 8.694321", 49.412345, 8.694321)]
    [InlineData("N 49,4123 E 8,6943", 49.4123, 8.6943)]
    [InlineData("49.5;-8.25", 49.5, -8.25)]
    [InlineData("33.9 S, 18.4 E", -33.9, 18.4)]
    public void CoordinatesParseIntoLatitudeAndLongitude(string value, double latitude, double longitude) =>
        Assert.Equal(new GeoPosition(latitude, longitude), PositionParser.Parse(value));

    [Theory]
    [InlineData("irgendwo")]
    [InlineData("91.0, 8.0")]
    [InlineData("49.4")]
    public void InvalidCoordinatesGiveNoPosition(string value) => Assert.Null(PositionParser.Parse(value));

    internal static AlarmEvaluator NewEvaluator(TimeSpan? timeout = null) =>
        new(new LabelExtractor(), Options.Create(new AlarmOptions { RegexTimeout = timeout ?? TimeSpan.FromMilliseconds(200) }));

    internal static MailMessage Decode(string fileName)
    {
        using var stream = File.OpenRead(Path.Combine(RepoPaths.CorpusMail, fileName));
        return new MailDecoder().Decode(stream, 7, 1, null, stream.Length, Now, CancellationToken.None);
    }

    private static JsonElement ReadExpected() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.CorpusMail, "expected.json"), Encoding.UTF8)).RootElement;
}
