namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>
/// An admin-defined regular expression whose named groups become fields (group name = field name, e.g.
/// <c>(?&lt;Einsatznummer&gt;\d{4}-\d{6})</c>). Runs with a timeout; a rule that times out is reported and skipped.
/// </summary>
/// <param name="Name">A name for people, 1 to 64 characters; reported as the rule that matched.</param>
/// <param name="Pattern">A .NET regular expression with at least one named group, at most <see cref="AlarmLimits.MaxPatternLength"/> characters.</param>
/// <param name="Source">What the pattern is matched against.</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.AlarmRule")]
public sealed record AlarmRule([property: Id(0)] string Name, [property: Id(1)] string Pattern, [property: Id(2)] AlarmRuleSource Source = AlarmRuleSource.Text);
