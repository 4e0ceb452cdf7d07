namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>Filters of <see cref="ITenantAlarmsGrain.ListAsync"/>; every given filter must hold.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.AlarmQuery")]
public sealed record AlarmQuery
{
    /// <summary>Only alarms evaluated at or after this time.</summary>
    [Id(0)] public DateTimeOffset? Since { get; init; }

    /// <summary>Only alarms whose mails came from this mailbox.</summary>
    [Id(1)] public string? MailboxId { get; init; }

    /// <summary>Only alarms with this status.</summary>
    [Id(2)] public AlarmStatus? Status { get; init; }

    /// <summary>At most this many, 1 to <see cref="AlarmLimits.MaxAlarmsPage"/>.</summary>
    [Id(3)] public int Limit { get; init; } = 50;
}
