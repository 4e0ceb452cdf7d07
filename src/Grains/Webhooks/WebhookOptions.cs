namespace AlarmInbox.Grains.Webhooks;

/// <summary>How alarms are delivered to webhooks; section <c>AlarmInbox:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Webhooks";

    /// <summary>The longest one POST may take, connection included.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per delivery before it is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The delay after the first failed attempt; it doubles with each further failure, with jitter (50–100 %).</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Period of the reminder that brings the outbox back while deliveries are pending. Orleans refuses less than 1 minute unless its minimum is lowered.</summary>
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many deliveries are attempted at once.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 8;

    /// <summary>
    /// Revisions of one alarm reach a webhook in revision order; a later one waits until the earlier one is delivered or
    /// dead-lettered. With this set, a later revision instead replaces an earlier one that is still waiting (state
    /// <c>Superseded</c>; each body carries the whole alarm, so the receiver loses only the intermediate state).
    /// </summary>
    public bool SupersedeOlderRevisions { get; set; }

    /// <summary>How many finished (delivered, dead-lettered or superseded) deliveries a tenant keeps for the API; older ones are deleted by the retention step.</summary>
    public int KeptDeliveries { get; set; } = 2_000;
}
