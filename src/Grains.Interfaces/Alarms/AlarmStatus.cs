namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>What became of an alarm mail.</summary>
[GenerateSerializer]
[Alias("alarminbox.AlarmStatus")]
public enum AlarmStatus
{
    /// <summary>A new alarm, delivered to the tenant's webhooks.</summary>
    New = 0,

    /// <summary>An alarm that later mails of the same incident updated (see <see cref="AlarmRecord.History"/>); each update is delivered.</summary>
    Updated = 1,

    /// <summary>Evaluated in test mode: stored, not delivered.</summary>
    Test = 2,

    /// <summary>Not an alarm (see <see cref="AlarmRecord.Rejection"/>): stored, not delivered.</summary>
    Rejected = 3,
}
