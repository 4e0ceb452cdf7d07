namespace AlarmInbox.Grains.Mailboxes;

/// <summary>How mailboxes schedule their polls, IDLE sessions and retries; section <c>AlarmInbox:Polling</c>.</summary>
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

    /// <summary>
    /// How long one IDLE command lasts before the session ends it with DONE and starts it again. The server's answer to
    /// DONE proves the connection is alive, so this is also the dead-connection watchdog: a connection that stopped
    /// answering is noticed within this time plus <c>AlarmInbox:Imap:CommandTimeout</c>. RFC 2177 asks for at most 29 minutes.
    /// </summary>
    public TimeSpan IdleHeartbeat { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An IDLE session is closed and opened again after this time, so that a fresh login (and, for OAuth2, a fresh token) is used before the old one expires.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromMinutes(45);

    /// <summary>After this many IDLE sessions in a row failed, the mailbox falls back to plain polling for <see cref="IdleFallbackPeriod"/>.</summary>
    public int MaxIdleFailures { get; set; } = 3;

    /// <summary>How long a mailbox polls instead of using IDLE after <see cref="MaxIdleFailures"/>.</summary>
    public TimeSpan IdleFallbackPeriod { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>First retry delay after a transient failure; it doubles with every further failure (with ±20 % jitter).</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest retry delay after transient failures.</summary>
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Retry delay after a permanent failure (rejected credentials, missing folder, untrusted certificate, unknown host): such errors are retried slowly, not hammered.</summary>
    public TimeSpan PermanentErrorRetry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A mail whose INTERNALDATE (or Date) is older than this when first seen is stored with <c>late = true</c>.</summary>
    public TimeSpan LateAfter { get; set; } = TimeSpan.FromMinutes(10);
}
