using AlarmInbox.Grains.Imap;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// The kept session of a polled mailbox: one authenticated, selected IMAP session held open between polls, so that a
/// poll costs a NOOP and a UID SEARCH instead of a login. Never more than one per mailbox: a poll takes it out while it
/// uses it, and the IDLE loop (which has a session of its own) starts only after it is closed.
/// </summary>
public sealed partial class MailboxGrain
{
    private IImapSession? _keptSession;
    private DateTimeOffset _keptSessionOpenedAt;

    /// <summary>Whether a session should stay open after a poll: polled mailboxes (not IDLE) at a short enough interval.</summary>
    private bool KeepSessionWanted => _polling.KeepSessions && ShouldPoll && !IdleWanted && Interval <= _polling.KeptSessionMaxInterval;

    /// <summary>Takes the kept session for a poll, or returns <see langword="null"/> (none, or too old: then it is closed).</summary>
    private IImapSession? TakeKeptSession()
    {
        var kept = _keptSession;
        _keptSession = null;
        if (kept is not null && time.GetUtcNow() - _keptSessionOpenedAt >= _polling.SessionLifetime)
        {
            // Renewed now and then for a fresh login (and, for OAuth2, a fresh token); closing is not awaited by the poll.
            _ = kept.DisposeAsync().AsTask();
            return null;
        }

        return kept;
    }

    /// <summary>Keeps <paramref name="session"/> for the next poll when wanted, otherwise logs it out.</summary>
    private async Task KeepOrCloseAsync(IImapSession session, DateTimeOffset openedAt)
    {
        if (KeepSessionWanted && _keptSession is null)
        {
            _keptSession = session;
            _keptSessionOpenedAt = openedAt;
            return;
        }

        await session.DisposeAsync();
    }

    /// <summary>Logs out the kept session, if any (settings changed, paused, deleted, deactivated, or IDLE takes over).</summary>
    private async Task CloseKeptSessionAsync()
    {
        var kept = _keptSession;
        _keptSession = null;
        if (kept is not null)
        {
            await kept.DisposeAsync();
        }
    }
}
