namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>A rule that could not run to its end; the evaluation went on without it.</summary>
/// <param name="Rule">The rule's name, or <c>label:&lt;label&gt;</c> for label extraction, <c>xml:&lt;file&gt;</c> for an attachment.</param>
/// <param name="Code"><c>timeout</c> (the regular expression exceeded its time limit) or <c>invalid_xml</c>.</param>
/// <param name="Message">What happened.</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.RuleError")]
public sealed record RuleError([property: Id(0)] string Rule, [property: Id(1)] string Code, [property: Id(2)] string Message);
