namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>What the rule tester found: the evaluation and the alarm it would produce. Nothing was stored or delivered.</summary>
/// <param name="Evaluation">The evaluation with fields, sources, matched rules and rule errors.</param>
/// <param name="Alarm">The alarm the mail would produce now (a new one, an update of an existing one, test or rejected), or <see langword="null"/> when evaluation is off for the mailbox.</param>
/// <param name="Settings">The effective settings used.</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.AlarmPreview")]
public sealed record AlarmPreview([property: Id(0)] AlarmEvaluation Evaluation, [property: Id(1)] AlarmRecord? Alarm, [property: Id(2)] EvaluationSettings Settings);
