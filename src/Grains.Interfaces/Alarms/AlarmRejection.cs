namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>Why a mail is not an alarm.</summary>
/// <param name="Code">A stable code: <c>sender_not_allowed</c> or <c>no_alarm_content</c> (<see cref="AlarmRejectionCodes"/>).</param>
/// <param name="Message">A sentence for the admin; names the sender, never the body.</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.AlarmRejection")]
public sealed record AlarmRejection([property: Id(0)] string Code, [property: Id(1)] string Message);
