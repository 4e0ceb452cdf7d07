using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// The persisted settings of a tenant's alarm pipeline (state name <c>tenant-alarms</c>). The history (alarms with their
/// revisions and receipts, handled mail keys, recognition keys, pending hand-offs) lives in <see cref="IAlarmStore"/>;
/// the lists below are what the releases before kept here, read once at activation, moved into the store and emptied.
/// </summary>
[GenerateSerializer]
[Alias("alarminbox.TenantAlarmsState")]
public sealed class TenantAlarmsState
{
    /// <summary>The tenant's default evaluation settings.</summary>
    [Id(0)] public EvaluationSettings Settings { get; set; } = new();

    /// <summary>Mailbox id → override.</summary>
    [Id(1)] public Dictionary<string, EvaluationOverride> MailboxOverrides { get; set; } = [];

    /// <summary>Legacy (moved to <see cref="IAlarmStore"/> at activation): the alarms with their receipts, least recently evaluated first.</summary>
    [Id(2)] public List<AlarmRecord> Alarms { get; set; } = [];

    /// <summary>Legacy (moved to <see cref="IAlarmStore"/> at activation): handled mail keys, oldest first.</summary>
    [Id(3)] public List<string> ProcessedKeys { get; set; } = [];

    /// <summary>Legacy (moved to <see cref="IAlarmStore"/> at activation): revisions not yet confirmed by the webhook outbox.</summary>
    [Id(4)] public List<AlarmRecord> PendingHandoff { get; set; } = [];

    /// <summary>Legacy (moved to <see cref="IAlarmStore"/> at activation): recognition keys → their alarm, oldest first (a later entry for a key wins).</summary>
    [Id(5)] public List<RecognitionEntry> Recognised { get; set; } = [];

    /// <summary>
    /// The tenant was deleted: the pipeline takes no more mail (a mail already on its way when the delete ran is dropped),
    /// until <c>OpenAsync</c> when a tenant is created again under the id.
    /// </summary>
    [Id(6)] public bool Deleted { get; set; }
}
