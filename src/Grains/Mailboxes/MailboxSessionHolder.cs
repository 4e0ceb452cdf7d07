using AlarmInbox.Grains.Imap;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// Where a mailbox's one open IMAP session rests between syncs: kept (a polled mailbox, so that a poll costs a NOOP and a
/// UID SEARCH instead of a login) here or polled by the silo's <see cref="ImapIdleSessions"/> (<see cref="PollWatch"/>),
/// or in IDLE with that service. Never more than one:
/// a sync takes it out (<see cref="TakeAsync"/>) and puts it back (<see cref="ParkAsync"/>). Plain object owned by the
/// grain and used only in its turns.
/// </summary>
/// <param name="mailboxId">The mailbox grain's key.</param>
/// <param name="idleSessions">The silo's IDLE sessions.</param>
/// <param name="options">The polling options.</param>
/// <param name="time">The clock.</param>
public sealed class MailboxSessionHolder(string mailboxId, ImapIdleSessions idleSessions, PollingOptions options, TimeProvider time)
{
    private HeldImapSession? _kept;
    private DateTimeOffset? _lastRoundAt;

    /// <summary>Whether the silo's session service holds the session now (in IDLE or polled).</summary>
    public bool Watched => idleSessions.IsWatching(mailboxId);

    /// <summary>Whether the session is in IDLE now.</summary>
    public bool InIdle => idleSessions.IsIdling(mailboxId);

    /// <summary>Whether the silo's session service polls the session now (<see cref="PollWatch"/>).</summary>
    public bool Polled => idleSessions.IsPolling(mailboxId);

    /// <summary>
    /// When the service's last poll round of the session got the server's answer, as far as this holder has seen it: the
    /// latest time read from the service is kept after the session left it (ended, taken back), so that what the status
    /// showed does not go back; <see langword="null"/> before any round was seen.
    /// </summary>
    public DateTimeOffset? LastRoundAt
    {
        get
        {
            if (idleSessions.LastRoundAt(mailboxId) is { } at && !(at <= _lastRoundAt))
            {
                _lastRoundAt = at;
            }

            return _lastRoundAt;
        }
    }

    /// <summary>Takes the open session (kept, or back from IDLE), or returns <see langword="null"/> when there is none; a kept session older than <see cref="PollingOptions.SessionLifetime"/> is closed instead.</summary>
    public async Task<HeldImapSession?> TakeAsync()
    {
        var kept = _kept;
        _kept = null;
        if (kept is not null && time.GetUtcNow() - kept.OpenedAt >= options.SessionLifetime)
        {
            // Renewed now and then for a fresh login (and, for OAuth2, a fresh token); closing is not awaited.
            _ = kept.Session.DisposeAsync().AsTask();
            kept = null;
        }

        return kept ?? await idleSessions.TakeAsync(mailboxId);
    }

    /// <summary>Puts a session back after a sync: into IDLE, kept (here or polled by the service), or logged out.</summary>
    /// <param name="held">The session.</param>
    /// <param name="folderCount">The folder's message count the sync saw.</param>
    /// <param name="idle">Hand it to IDLE (the mailbox wants IDLE and the server offers it).</param>
    /// <param name="keep">Keep it for the next poll.</param>
    /// <param name="poll">With <paramref name="keep"/>: hand it to the service to be polled so; <see langword="null"/>: kept here for the grain's timer.</param>
    public async Task ParkAsync(HeldImapSession held, int folderCount, bool idle, bool keep, PollWatch? poll = null)
    {
        ArgumentNullException.ThrowIfNull(held);
        if (idle)
        {
            idleSessions.Watch(mailboxId, held, folderCount);
        }
        else if (keep && _kept is null && time.GetUtcNow() - held.OpenedAt < options.SessionLifetime)
        {
            if (poll is not null)
            {
                idleSessions.Watch(mailboxId, held, folderCount, poll);
            }
            else
            {
                _kept = held;
            }
        }
        else
        {
            await held.Session.DisposeAsync();
        }
    }

    /// <summary>Logs out the open session, wherever it is (settings changed, paused, deleted, deactivated).</summary>
    public async Task CloseAsync()
    {
        var kept = _kept;
        _kept = null;
        if (kept is not null)
        {
            await kept.Session.DisposeAsync();
        }

        await idleSessions.CloseAsync(mailboxId);
    }
}
