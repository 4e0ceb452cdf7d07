namespace AlarmInbox.Silo.Storage;

/// <summary>
/// How long history is kept; section <c>AlarmInbox:Retention</c>. The counts per tenant are
/// <c>AlarmInbox:Alarms:StoredAlarms</c>, <c>AlarmInbox:Alarms:ProcessedKeyWindow</c> and
/// <c>AlarmInbox:Webhooks:KeptDeliveries</c>; the ages here come on top. Applied by <see cref="HistoryRetentionService"/>.
/// </summary>
public sealed class HistoryRetentionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Retention";

    /// <summary>How often the retention step runs (the first run is one <see cref="FirstRunDelay"/> after start).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The wait after start before the first run.</summary>
    public TimeSpan FirstRunDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Alarms last evaluated longer ago than this are deleted; <see langword="null"/> (default): only the count applies.</summary>
    public TimeSpan? AlarmMaxAge { get; set; }

    /// <summary>Audit entries older than this are deleted (the audit log has no count limit, so no flood of requests can push an entry out).</summary>
    public TimeSpan AuditMaxAge { get; set; } = TimeSpan.FromDays(400);

    /// <summary>Finished deliveries created longer ago than this are deleted; <see langword="null"/> (default): only the count applies.</summary>
    public TimeSpan? DeliveryMaxAge { get; set; }
}
