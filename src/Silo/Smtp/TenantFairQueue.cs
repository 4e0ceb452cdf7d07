namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// The queue of spooled mails waiting for hand-off, one FIFO per tenant, served round-robin across tenants with at most
/// <c>perTenant</c> mails of one tenant in hand-off at a time. A tenant whose mails are slow (long rules, a slow
/// database) thus occupies at most <c>perTenant</c> workers, and another tenant's mail waits for a free worker, not
/// behind the slow tenant's backlog. Thread-safe.
/// </summary>
/// <param name="perTenant">The most mails of one tenant in hand-off at the same time (at least 1).</param>
public sealed class TenantFairQueue(int perTenant)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<string>> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _turns = new();
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0);

    /// <summary>How many mails wait (not yet taken by a worker).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queued.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="id"/> for <paramref name="tenantId"/>; an id already waiting is not queued twice.</summary>
    public void Enqueue(string tenantId, string id)
    {
        lock (_lock)
        {
            if (!_queued.Add(id))
            {
                return;
            }

            if (!_queues.TryGetValue(tenantId, out var queue))
            {
                queue = new Queue<string>();
                _queues[tenantId] = queue;
                _turns.AddLast(tenantId);
            }

            queue.Enqueue(id);
        }

        _changed.Release();
    }

    /// <summary>Waits for the next mail of the next tenant in turn that is below its limit; call <see cref="Complete"/> with the tenant when its hand-off ends.</summary>
    public async Task<(string TenantId, string Id)> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _changed.WaitAsync(cancellationToken);
            lock (_lock)
            {
                for (var node = _turns.First; node is not null; node = node.Next)
                {
                    var tenantId = node.Value;
                    if (_inFlight.GetValueOrDefault(tenantId) >= perTenant)
                    {
                        continue;
                    }

                    var queue = _queues[tenantId];
                    var id = queue.Dequeue();
                    _queued.Remove(id);
                    _inFlight[tenantId] = _inFlight.GetValueOrDefault(tenantId) + 1;
                    // The tenant goes to the back of the line; an emptied queue leaves it.
                    _turns.Remove(node);
                    if (queue.Count > 0)
                    {
                        _turns.AddLast(tenantId);
                    }
                    else
                    {
                        _queues.Remove(tenantId);
                    }

                    return (tenantId, id);
                }
            }

            // Every waiting tenant is at its limit: wait for a Complete or an Enqueue.
        }
    }

    /// <summary>Ends a hand-off of <paramref name="tenantId"/> taken by <see cref="DequeueAsync"/>.</summary>
    public void Complete(string tenantId)
    {
        lock (_lock)
        {
            if (_inFlight.TryGetValue(tenantId, out var n) && n > 1)
            {
                _inFlight[tenantId] = n - 1;
            }
            else
            {
                _inFlight.Remove(tenantId);
            }
        }

        _changed.Release();
    }
}
