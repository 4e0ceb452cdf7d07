using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>The persisted alarm pipeline of a tenant (state name <c>tenant-alarms</c>).</summary>
[GenerateSerializer]
[Alias("alarminbox.TenantAlarmsState")]
public sealed class TenantAlarmsState
{
    /// <summary>The tenant's default evaluation settings.</summary>
    [Id(0)] public EvaluationSettings Settings { get; set; } = new();

    /// <summary>Mailbox id → override.</summary>
    [Id(1)] public Dictionary<string, EvaluationOverride> MailboxOverrides { get; set; } = [];

    /// <summary>The alarms, least recently evaluated first; at most <see cref="AlarmOptions.StoredAlarms"/>.</summary>
    [Id(2)] public List<AlarmRecord> Alarms { get; set; } = [];

    /// <summary>Handled mail keys (idempotency keys and per-mailbox content keys), oldest first; at most <see cref="AlarmOptions.ProcessedKeyWindow"/>.</summary>
    [Id(3)] public List<string> ProcessedKeys { get; set; } = [];

    /// <summary>Deliverable alarm revisions stored but not yet confirmed by the webhook outbox.</summary>
    [Id(4)] public List<AlarmRecord> PendingHandoff { get; set; } = [];

    /// <summary>Tenant-wide recognition keys of handled mails (Message-ID or content hash) → their alarm, oldest first; at most <see cref="AlarmOptions.ProcessedKeyWindow"/>.</summary>
    [Id(5)] public List<RecognitionEntry> Recognised { get; set; } = [];
}
