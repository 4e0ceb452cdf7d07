using SmtpServer;

namespace AlarmInbox.Silo.Smtp;

/// <summary>Counts the open SMTP sessions of this silo and marks those above <see cref="SmtpOptions.MaxConcurrentSessions"/>.</summary>
public sealed class SmtpSessionLimiter
{
    private const string OverLimitKey = "alarminbox.over-limit";
    private int _open;

    /// <summary>How many sessions are open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Counts a new session and marks it when the limit is exceeded.</summary>
    public void Opened(ISessionContext context, int limit)
    {
        if (Interlocked.Increment(ref _open) > limit)
        {
            context.Properties[OverLimitKey] = true;
        }
    }

    /// <summary>Counts a session that ended (completed, faulted or cancelled).</summary>
    public void Closed() => Interlocked.Decrement(ref _open);

    /// <summary>Whether the session was opened above the limit.</summary>
    public bool IsOverLimit(ISessionContext context) => context.Properties.ContainsKey(OverLimitKey);
}
