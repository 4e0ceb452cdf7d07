namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>A mailbox's evaluation settings: its override (if any) and the settings in effect.</summary>
/// <param name="Override">The mailbox's override, or <see langword="null"/> when it uses the tenant's defaults.</param>
/// <param name="Effective">The tenant's defaults with the override applied.</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailboxEvaluationSettings")]
public sealed record MailboxEvaluationSettings([property: Id(0)] EvaluationOverride? Override, [property: Id(1)] EvaluationSettings Effective);
