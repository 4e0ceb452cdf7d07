using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>A receipt (<see cref="AlarmRecord.Receipts"/>) and the alarm it belongs to, as appended to <see cref="IAlarmStore"/>.</summary>
/// <param name="AlarmId">The alarm.</param>
/// <param name="Receipt">The arrival.</param>
public sealed record StoredReceipt(string AlarmId, AlarmReceipt Receipt);
