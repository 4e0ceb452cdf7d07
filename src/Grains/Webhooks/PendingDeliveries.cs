using AlarmInbox.Grains.Interfaces.Webhooks;

namespace AlarmInbox.Grains.Webhooks;

/// <summary>
/// The pending deliveries of one outbox, held in memory by <see cref="WebhookOutboxGrain"/> and indexed so that adding,
/// starting, finishing or removing one, finding the next due one and the earliest due time cost O(log n) however many
/// are pending (a receiver that was down for hours leaves thousands). Deliveries are grouped into chains of one alarm
/// to one webhook, ordered by revision: only the head of a chain (its lowest pending revision) may be sent, and only
/// while it is not already running, so revisions of one alarm reach a webhook in order. Not thread-safe: used from the
/// grain's scheduler only.
/// </summary>
public sealed class PendingDeliveries
{
    private readonly Dictionary<OutboxEntry, Slot> _slots = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(string WebhookId, string AlarmId), Chain> _chains = [];
    private readonly SortedSet<Slot> _ready = new(Comparer<Slot>.Create(static (a, b) => Compare(a.ReadyAt, b.ReadyAt, a.Sequence, b.Sequence)));
    private readonly SortedSet<Slot> _byCreation = new(Comparer<Slot>.Create(static (a, b) => Compare(a.CreatedAt, b.CreatedAt, a.Sequence, b.Sequence)));
    private long _sequence;

    /// <summary>How many deliveries are pending (running ones included).</summary>
    public int Count => _slots.Count;

    /// <summary>When the earliest delivery that may go next is due, or <see langword="null"/> when none may go (none pending, or each chain's head is running).</summary>
    public DateTimeOffset? NextAttemptAt => _ready.Count == 0 || _ready.Min!.ReadyAt == DateTimeOffset.MaxValue ? null : _ready.Min!.ReadyAt;

    /// <summary>When the oldest pending delivery was queued, or <see langword="null"/> when none is pending.</summary>
    public DateTimeOffset? OldestCreatedAt => _byCreation.Count == 0 ? null : _byCreation.Min!.CreatedAt;

    /// <summary>
    /// Adds a pending delivery. Returns <see langword="false"/> (and adds nothing) when this entry, or another entry for
    /// the same webhook, alarm and revision, is pending already.
    /// </summary>
    public bool Add(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = (entry.WebhookId, entry.AlarmId);
        if (!_chains.TryGetValue(key, out var chain))
        {
            chain = new Chain(key);
            _chains[key] = chain;
        }
        else if (chain.Revisions.ContainsKey(entry.Revision))
        {
            return false;
        }

        var slot = new Slot(entry, chain, _sequence++, entry.CreatedAt);
        _slots[entry] = slot;
        chain.Revisions.Add(entry.Revision, slot);
        _byCreation.Add(slot);
        Refresh(chain);
        return true;
    }

    /// <summary>Removes a delivery (running or not); returns <see langword="false"/> when it is not pending here.</summary>
    public bool Remove(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!_slots.Remove(entry, out var slot))
        {
            return false;
        }

        var chain = slot.Chain;
        if (chain.Ready == slot)
        {
            _ready.Remove(slot);
            chain.Ready = null;
        }

        chain.Revisions.Remove(entry.Revision);
        _byCreation.Remove(slot);
        if (chain.Revisions.Count == 0)
        {
            _chains.Remove(chain.Key);
        }
        else
        {
            Refresh(chain);
        }

        return true;
    }

    /// <summary>
    /// The deliveries that may go now, earliest due first, at most <paramref name="max"/>: due at or before
    /// <paramref name="now"/>, the head of their chain and not running. Costs O(log n + k).
    /// </summary>
    public IReadOnlyList<OutboxEntry> Due(DateTimeOffset now, int max)
    {
        var due = new List<OutboxEntry>();
        foreach (var slot in _ready)
        {
            if (due.Count >= max || slot.ReadyAt > now)
            {
                break;
            }

            due.Add(slot.Entry);
        }

        return due;
    }

    /// <summary>Marks a pending delivery running: it is not offered by <see cref="Due"/> again, nor is any later revision of its chain, until <see cref="Finish"/>.</summary>
    public void Start(OutboxEntry entry)
    {
        if (_slots.TryGetValue(entry, out var slot))
        {
            slot.Running = true;
            Refresh(slot.Chain);
        }
    }

    /// <summary>
    /// Ends a running delivery: one that is no longer <see cref="WebhookDeliveryState.Pending"/> is
    /// removed (the next revision of its chain may go); a pending one is offered again at its (new)
    /// <see cref="OutboxEntry.NextAttemptAt"/>. Does nothing for an entry that is not pending here (removed meanwhile).
    /// </summary>
    public void Finish(OutboxEntry entry)
    {
        if (!_slots.TryGetValue(entry, out var slot))
        {
            return;
        }

        slot.Running = false;
        if (entry.State != WebhookDeliveryState.Pending)
        {
            Remove(entry);
        }
        else
        {
            Refresh(slot.Chain);
        }
    }

    /// <summary>Whether the delivery is pending here and running.</summary>
    public bool IsRunning(OutboxEntry entry) => _slots.TryGetValue(entry, out var slot) && slot.Running;

    /// <summary>The pending delivery of this revision of an alarm to a webhook, or <see langword="null"/>.</summary>
    public OutboxEntry? Find(string webhookId, string alarmId, int revision) =>
        _chains.TryGetValue((webhookId, alarmId), out var chain) && chain.Revisions.TryGetValue(revision, out var slot) ? slot.Entry : null;

    /// <summary>The deliveries of earlier revisions of <paramref name="entry"/>'s alarm to its webhook that are waiting (not running).</summary>
    public IReadOnlyList<OutboxEntry> WaitingBefore(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!_chains.TryGetValue((entry.WebhookId, entry.AlarmId), out var chain))
        {
            return [];
        }

        return [.. chain.Revisions.Values.Where(s => s.Entry.Revision < entry.Revision && !s.Running).Select(s => s.Entry)];
    }

    /// <summary>Removes the waiting (not running) deliveries to a webhook; a running one ends on its own. Costs O(n): the webhook was deleted.</summary>
    public void RemoveWaitingOf(string webhookId)
    {
        foreach (var slot in _slots.Values.Where(s => s.Entry.WebhookId == webhookId && !s.Running).ToList())
        {
            Remove(slot.Entry);
        }
    }

    /// <summary>Forgets every delivery, running ones included.</summary>
    public void Clear()
    {
        _slots.Clear();
        _chains.Clear();
        _ready.Clear();
        _byCreation.Clear();
    }

    private static int Compare(DateTimeOffset a, DateTimeOffset b, long sequenceA, long sequenceB)
    {
        var byTime = a.CompareTo(b);
        return byTime != 0 ? byTime : sequenceA.CompareTo(sequenceB);
    }

    /// <summary>Puts the chain's head into <see cref="_ready"/> when it is not running, and takes out whatever was there for the chain before.</summary>
    private void Refresh(Chain chain)
    {
        var head = chain.Revisions.Count == 0 ? null : chain.Revisions.Values[0];
        var wanted = head is { Running: false } ? head : null;
        if (chain.Ready == wanted && (wanted is null || wanted.ReadyAt == (wanted.Entry.NextAttemptAt ?? DateTimeOffset.MaxValue)))
        {
            return;
        }

        if (chain.Ready is { } previous)
        {
            // Removed under the time it was added with: the set's order must not change while the slot is in it.
            _ready.Remove(previous);
        }

        chain.Ready = wanted;
        if (wanted is not null)
        {
            wanted.ReadyAt = wanted.Entry.NextAttemptAt ?? DateTimeOffset.MaxValue;
            _ready.Add(wanted);
        }
    }

    /// <summary>One pending delivery; <see cref="ReadyAt"/> is its due time as of when it entered the ready set.</summary>
    private sealed class Slot(OutboxEntry entry, Chain chain, long sequence, DateTimeOffset createdAt)
    {
        public OutboxEntry Entry { get; } = entry;

        public Chain Chain { get; } = chain;

        public long Sequence { get; } = sequence;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public DateTimeOffset ReadyAt { get; set; }

        public bool Running { get; set; }
    }

    /// <summary>The pending revisions of one alarm to one webhook, by revision; <see cref="Ready"/> is the one in the ready set, if any.</summary>
    private sealed class Chain((string WebhookId, string AlarmId) key)
    {
        public (string WebhookId, string AlarmId) Key { get; } = key;

        public SortedList<int, Slot> Revisions { get; } = new();

        public Slot? Ready { get; set; }
    }
}
