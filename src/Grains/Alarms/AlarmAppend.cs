using AlarmInbox.Grains.Interfaces.Alarms;

namespace AlarmInbox.Grains.Alarms;

/// <summary>What one ingestion (or one migration step) stores through <see cref="IAlarmStore.AppendAsync"/>.</summary>
public sealed record AlarmAppend
{
    /// <summary>Keys of handled mails (path keys and per-source content keys), oldest first.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>Alarms in their latest state, with their whole history, in the order they were evaluated (their receipts are not stored from here: see <see cref="Receipts"/>).</summary>
    public IReadOnlyList<AlarmRecord> Alarms { get; init; } = [];

    /// <summary>New receipts (arrivals, repeats included) to add to their alarms, oldest first.</summary>
    public IReadOnlyList<StoredReceipt> Receipts { get; init; } = [];

    /// <summary>Recognition keys pointed at their alarm, oldest first (a later entry for the same key wins).</summary>
    public IReadOnlyList<RecognitionEntry> Recognised { get; init; } = [];

    /// <summary>Deliverable alarm revisions to hand to the webhook outbox.</summary>
    public IReadOnlyList<AlarmRecord> Handoffs { get; init; } = [];

    /// <summary>Whether there is nothing to store.</summary>
    public bool IsEmpty => Keys.Count == 0 && Alarms.Count == 0 && Receipts.Count == 0 && Recognised.Count == 0 && Handoffs.Count == 0;
}
