namespace AlarmInbox.Grains.Alarms;

/// <summary>How alarms are evaluated and kept; section <c>AlarmInbox:Alarms</c>.</summary>
public sealed class AlarmOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Alarms";

    /// <summary>The longest time one regular expression (label extraction or a custom rule) may run on one mail; it is then reported as timed out and skipped.</summary>
    public TimeSpan RegexTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The time all regular expressions together may run on one mail (labels and custom rules; the forwarded-sender search
    /// has its own <see cref="RegexTimeout"/>): once it is used up the remaining ones are skipped and reported with code
    /// <c>budget</c>. Counted in the evaluating thread's CPU time, capped at five times as much wall-clock time; a timeout
    /// that came while the thread was stopped is tried again. Default 1 s.
    /// </summary>
    public TimeSpan RegexBudgetPerMail { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many alarms a tenant keeps (newest first); older ones are dropped.</summary>
    public int StoredAlarms { get; set; } = 1_000;

    /// <summary>How many handled mail keys a tenant remembers to skip a mail handed in again (after a crash or a UIDVALIDITY change).</summary>
    public int ProcessedKeyWindow { get; set; } = 20_000;
}
