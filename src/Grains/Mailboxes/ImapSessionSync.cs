using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// One IMAP sync of a mailbox with its session handling: on the open session if there is one (kept, or taken back from
/// the silo's <see cref="ImapIdleSessions"/>) after a NOOP (RFC 3501 section 6.1.2: lets the server report new messages
/// on a quiet session); if that session fails for any reason but throttling, once more on a new session. A session that
/// fails is closed; the one that synced is returned for the grain to park. Plain object owned by the grain and used only
/// in its turns.
/// </summary>
/// <param name="mailboxId">The mailbox grain's key (for the log).</param>
/// <param name="sessions">Where the open session rests.</param>
/// <param name="credentials">Opens new sessions with the mailbox's credentials.</param>
/// <param name="folderSync">The sync algorithm.</param>
/// <param name="time">The clock (a new session's opening time).</param>
/// <param name="logger">The log.</param>
public sealed class ImapSessionSync(
    string mailboxId, MailboxSessionHolder sessions, MailboxCredentials credentials, ImapFolderSync folderSync, TimeProvider time, ILogger logger)
{
    /// <summary>Syncs the folder of the mailbox in <paramref name="state"/>.</summary>
    /// <param name="state">The mailbox state (settings and credentials for a new session).</param>
    /// <param name="start">Where each attempt starts; asked again for the second one, after the first may have moved the watermark.</param>
    /// <param name="target">Where mails are handed over and the watermark written.</param>
    /// <param name="cancellationToken">The poll's budget.</param>
    /// <returns>The session that synced (open, to be parked) and what the sync did.</returns>
    /// <exception cref="MailboxAccessException">The server refused, throttled or failed (a stable code).</exception>
    /// <exception cref="OperationCanceledException">The budget ran out.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">A stored secret cannot be decrypted.</exception>
    public async Task<(HeldImapSession Held, ImapSyncResult Synced)> SyncAsync(
        MailboxGrainState state, Func<ImapSyncStart> start, IImapSyncTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (await sessions.TakeAsync() is { } held)
        {
            try
            {
                return (held, await SyncOnAsync(held, refresh: true, start(), target, cancellationToken));
            }
            catch (MailboxAccessException ex) when (ex.Code != MailboxErrorCodes.Throttled)
            {
                // Dropped by the server (autologout, BYE, Exchange's token expiry) or broken: one new session.
                logger.OpenSessionFailed(mailboxId, ex.Code);
            }
        }

        var session = await credentials.OpenSessionAsync(state, cancellationToken);
        var opened = new HeldImapSession(session, time.GetUtcNow());
        return (opened, await SyncOnAsync(opened, refresh: false, start(), target, cancellationToken));
    }

    private async Task<ImapSyncResult> SyncOnAsync(HeldImapSession held, bool refresh, ImapSyncStart start, IImapSyncTarget target, CancellationToken cancellationToken)
    {
        try
        {
            if (refresh)
            {
                await held.Session.NoOpAsync(cancellationToken);
            }

            return await folderSync.SyncAsync(held.Session, start, target, cancellationToken);
        }
        catch
        {
            await held.Session.DisposeAsync();
            throw;
        }
    }
}
