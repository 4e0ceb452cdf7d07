using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Where a tenant's alarms, their revisions and receipts, the keys of handled mails, the recognition keys and the
/// pending hand-offs are kept as records (one row each), so that storing one costs the same whatever is stored.
/// <see cref="TenantAlarmsGrain"/> decides; this adapter only stores and finds. Implementations write each
/// <see cref="AppendAsync"/> in one transaction.
/// </summary>
public interface IAlarmStore
{
    /// <summary>Returns which of <paramref name="keys"/> are recorded as handled for the tenant.</summary>
    Task<IReadOnlySet<string>> FindKeysAsync(string tenantId, IReadOnlyCollection<string> keys);

    /// <summary>Returns the alarm each of <paramref name="keys"/> (recognition keys, <see cref="RecognitionKeys"/>) points at, for those recorded.</summary>
    Task<IReadOnlyDictionary<string, string>> FindRecognisedAsync(string tenantId, IReadOnlyCollection<string> keys);

    /// <summary>Returns the tenant's alarms with this incident number (with their history and receipts), newest first; at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AlarmRecord>> FindByIncidentAsync(string tenantId, string incidentNumber, int limit);

    /// <summary>
    /// Stores, in one transaction: the handled mail keys, the alarms (latest state replaced; revisions of their history
    /// not stored yet are added), the new receipts, the recognition keys (re-pointed when known) and the pending
    /// hand-offs. Idempotent: appending the same again changes nothing.
    /// </summary>
    Task AppendAsync(string tenantId, AlarmAppend append);

    /// <summary>Lists alarms (with their history and receipts) newest first by evaluation time, filtered as <paramref name="query"/> says.</summary>
    Task<IReadOnlyList<AlarmRecord>> ListAsync(string tenantId, AlarmQuery query);

    /// <summary>Returns one alarm with its history and receipts, or <see langword="null"/>.</summary>
    Task<AlarmRecord?> GetAsync(string tenantId, string alarmId);

    /// <summary>The alarm revisions stored but not yet confirmed by the webhook outbox, oldest first.</summary>
    Task<IReadOnlyList<AlarmRecord>> ListHandoffsAsync(string tenantId);

    /// <summary>Removes the hand-offs of these alarm revisions (the outbox has them).</summary>
    Task RemoveHandoffsAsync(string tenantId, IReadOnlyList<AlarmRecord> handedOff);

    /// <summary>Deletes everything of the tenant: alarms, revisions, receipts, keys, recognition keys and hand-offs.</summary>
    Task DeleteTenantAsync(string tenantId);
}
