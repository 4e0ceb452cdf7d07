using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// What one <see cref="TenantAlarmsGrain"/> ingestion collects before it is stored in one <see cref="IAlarmStore.AppendAsync"/>:
/// handled keys, the alarms it created or updated (and those it added a receipt to), new receipts, recognition keys and
/// hand-offs. Later mails of the batch see the earlier ones' alarms and keys through <see cref="Known"/> and <see cref="Recognised"/>.
/// </summary>
internal sealed class IngestBatch
{
    private readonly List<AlarmRecord> _changed = [];
    private readonly List<StoredReceipt> _receipts = [];
    private readonly List<RecognitionEntry> _recognisedInOrder = [];

    /// <summary>Handled mail keys, oldest first.</summary>
    public List<string> Keys { get; } = [];

    /// <summary>Alarms of this batch in their latest state (with their receipts), by id.</summary>
    public Dictionary<string, AlarmRecord> Known { get; } = new(StringComparer.Ordinal);

    /// <summary>Recognition keys of this batch → their alarm.</summary>
    public Dictionary<string, string> Recognised { get; } = new(StringComparer.Ordinal);

    /// <summary>Deliverable revisions to hand to the webhook outbox.</summary>
    public List<AlarmRecord> Handoffs { get; } = [];

    /// <summary>
    /// Adds <paramref name="receipt"/> to <paramref name="alarm"/> (unless it holds <see cref="AlarmLimits.MaxReceipts"/>
    /// already) and remembers the alarm; <paramref name="changed"/> alarms (created or updated) are stored again, the
    /// others only get the receipt row.
    /// </summary>
    /// <returns>The alarm with the receipt.</returns>
    public AlarmRecord AddReceipt(AlarmRecord alarm, AlarmReceipt receipt, bool changed)
    {
        if (alarm.Receipts.Count < AlarmLimits.MaxReceipts)
        {
            alarm = alarm with { Receipts = [.. alarm.Receipts, receipt] };
            _receipts.Add(new StoredReceipt(alarm.Id, receipt));
        }

        Known[alarm.Id] = alarm;
        if (changed)
        {
            // An update moves its alarm to the end: the stored order stays the order of latest evaluation.
            _changed.RemoveAll(a => a.Id == alarm.Id);
            _changed.Add(alarm);
        }

        return alarm;
    }

    /// <summary>Points <paramref name="keys"/> at <paramref name="alarmId"/>.</summary>
    public void Recognise(IReadOnlyList<string> keys, string alarmId)
    {
        foreach (var key in keys)
        {
            if (!Recognised.TryGetValue(key, out var known) || known != alarmId)
            {
                Recognised[key] = alarmId;
                _recognisedInOrder.Add(new RecognitionEntry(key, alarmId));
            }
        }
    }

    /// <summary>What to store.</summary>
    public AlarmAppend ToAppend() => new()
    {
        Keys = Keys,
        Alarms = _changed,
        Receipts = _receipts,
        Recognised = _recognisedInOrder,
        Handoffs = Handoffs,
    };
}
