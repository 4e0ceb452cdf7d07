namespace AlarmInbox.Grains.Mailboxes;

/// <summary>How mailboxes schedule their polls; section <c>AlarmInbox:Polling</c>.</summary>
public sealed class PollingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Polling";

    /// <summary>Period of the watchdog reminder that brings a mailbox back after deactivation or silo loss. Orleans refuses less than 1 minute unless its minimum is lowered.</summary>
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The first poll after an activation happens at a random time within this span (capped at the poll interval), so that a silo start does not poll every mailbox at once.</summary>
    public TimeSpan StartupSpread { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest time the first contact at mailbox creation may take before the call returns (the mailbox then keeps trying on its timer).</summary>
    public TimeSpan InitialContactTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Longest time one poll may take in total.</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(25);
}
