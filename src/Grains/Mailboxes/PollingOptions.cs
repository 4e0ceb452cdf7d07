namespace AlarmInbox.Grains.Mailboxes;

/// <summary>How mailboxes schedule their polls, IDLE sessions and retries; section <c>AlarmInbox:Polling</c>.</summary>
public sealed class PollingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Polling";

    /// <summary>Period of the watchdog reminder that brings a mailbox back after deactivation or silo loss. Orleans refuses less than 1 minute unless its minimum is lowered.</summary>
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The grid that polls of a silo's mailboxes are moved up to (timer coalescing, <see cref="PollGrid"/>): polls due
    /// within one slot run together, so the silo wakes once per slot instead of once per poll. A poll comes up to one
    /// slot later than its interval asks. Zero: every mailbox on its own timer. Not used for IDLE (RFC 2177) mailboxes,
    /// whose server reports new mail at once.
    /// </summary>
    public TimeSpan PollSlot { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Random jitter added to the first poll after an activation (capped at the poll interval), on top of the pacing by
    /// <see cref="FirstPollsPerSecond"/>.
    /// </summary>
    public TimeSpan StartupSpread { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many first polls (or first IDLE logins) per second this silo starts after activations: a silo start or a
    /// fail-over with many mailboxes spreads them out at this rate (10,000 mailboxes over 50 s at the default 200), a
    /// handful still starts at once. A mailbox's first poll is never later than its interval.
    /// </summary>
    public double FirstPollsPerSecond { get; set; } = 200;

    /// <summary>
    /// Whether a polled mailbox keeps its authenticated, selected IMAP session open between polls, so that a poll is a
    /// NOOP and a UID SEARCH on the open session instead of connect, TLS and login (RFC 3501 section 6.1.2). Default on.
    /// </summary>
    public bool KeepSessions { get; set; } = true;

    /// <summary>
    /// Whether the silo's session service (the one that holds IDLE sessions) also runs the polls of kept sessions: a
    /// poll that finds nothing new is then a NOOP and a <c>UID SEARCH</c> outside the mailbox grain, with no grain turn
    /// and no grain timer tick, and the grain is called only when a UID above its watermark appears or the session ends
    /// (its watchdog reminder's tick, every <see cref="WatchdogPeriod"/>, reads the last round's time as the last
    /// success). Off: every poll is a tick of the grain's timer. Default on; only with <see cref="KeepSessions"/>.
    /// </summary>
    public bool WatchKeptSessions { get; set; } = true;

    /// <summary>
    /// Mailboxes polled at most this far apart keep their session (when <see cref="KeepSessions"/> is on); longer
    /// intervals close it after each poll. Keep it well below the server's autologout time (RFC 3501 section 5.4: at
    /// least 30 minutes). A kept session older than <see cref="SessionLifetime"/> is closed and opened again.
    /// </summary>
    public TimeSpan KeptSessionMaxInterval { get; set; } = TimeSpan.FromMinutes(10);

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

    /// <summary>An IDLE session or a kept polling session is closed and opened again after this time, so that a fresh login (and, for OAuth2, a fresh token) is used before the old one expires.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromMinutes(45);

    /// <summary>After this many IDLE sessions in a row failed, the mailbox falls back to plain polling for <see cref="IdleFallbackPeriod"/>.</summary>
    public int MaxIdleFailures { get; set; } = 3;

    /// <summary>How long a mailbox polls instead of using IDLE after <see cref="MaxIdleFailures"/>.</summary>
    public TimeSpan IdleFallbackPeriod { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>First retry delay after a transient failure; it doubles with every further failure (with ±20 % jitter).</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest retry delay after transient failures.</summary>
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Longest retry delay after the server refused a session because too many are open (<c>connection_limit</c>): such
    /// refusals pass when another client's session ends, so the mailbox keeps trying every few seconds up to this.
    /// </summary>
    public TimeSpan ConnectionLimitBackoffCap { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Retry delay after a permanent failure (rejected credentials, missing folder, untrusted certificate, unknown host): such errors are retried slowly, not hammered.</summary>
    public TimeSpan PermanentErrorRetry { get; set; } = TimeSpan.FromMinutes(5);
}
