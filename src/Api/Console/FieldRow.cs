namespace AlarmInbox.Api.Console;

/// <summary>One extracted field in the rule tester.</summary>
/// <param name="Key">The field's key: the label, or <c>keyword</c> for the keyword.</param>
/// <param name="Name">The label, or the keyword's name in the user's language.</param>
/// <param name="Value">The value.</param>
/// <param name="Source">Where it came from, in words.</param>
public sealed record FieldRow(string Key, string Name, string Value, string Source);
