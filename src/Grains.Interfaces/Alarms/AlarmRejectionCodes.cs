namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>The stable codes of <see cref="AlarmRejection"/>.</summary>
public static class AlarmRejectionCodes
{
    /// <summary>Neither the sender nor (for a forwarded mail) the original sender is in <see cref="EvaluationSettings.AllowedSenders"/>.</summary>
    public const string SenderNotAllowed = "sender_not_allowed";

    /// <summary>The mail has neither a keyword nor an incident number.</summary>
    public const string NoAlarmContent = "no_alarm_content";
}
