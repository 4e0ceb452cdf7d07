using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// How <see cref="ImapIdleSessions"/> polls the kept session of a polled mailbox (instead of holding it in IDLE): at
/// every <paramref name="Interval"/> on the silo's poll grid, NOOP (RFC 3501 section 6.1.2) and <c>UID SEARCH UID n:*</c>
/// with n = the watermark's last UID + 1; the grain is called only when that finds a UID above the watermark (or the
/// folder's UIDVALIDITY differs) or the session ends. A round that finds nothing moves the mailbox's out-of-contact
/// deadline in <see cref="Telemetry.MailboxMetrics"/> to <paramref name="ContactWindow"/> after the server's answer; the
/// grain reads the last round's time (<see cref="ImapIdleSessions.LastRoundAt"/>) at its watchdog tick.
/// </summary>
/// <param name="Interval">The mailbox's poll interval.</param>
/// <param name="Slot">The silo's poll grid (<see cref="PollingOptions.PollSlot"/>); zero: no grid.</param>
/// <param name="Watermark">The mailbox's stored watermark after the sync that handed the session over.</param>
/// <param name="From">The grid point that sync was due at: the first round is one interval after it.</param>
/// <param name="ContactWindow">How long after the server's last answer the mailbox counts as out of contact (three intervals, at least three IDLE heartbeats).</param>
public sealed record PollWatch(TimeSpan Interval, TimeSpan Slot, UidWatermark Watermark, DateTimeOffset From, TimeSpan ContactWindow);
