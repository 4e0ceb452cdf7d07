using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// What a mailbox in IDLE (RFC 2177) does when its session ended: reconnect at once when the server ended an open
/// session (BYE: a kick, a UIDVALIDITY change, Exchange's token expiry), the connection dropped or the session reached its
/// lifetime, none of which is a failure of the mailbox; otherwise count a failure and back off. A session that ends
/// again before its first IDLE round after such a reconnect is a failed reconnect and backed off too. Plain object owned
/// by the grain.
/// </summary>
public sealed class IdleReconnectPolicy
{
    // Set when a session ended and a new one was opened at once; cleared by the new session's first IDLE round.
    private bool _reconnecting;

    /// <summary>An IDLE round came: the reconnect, if there was one, worked.</summary>
    public void RoundSeen() => _reconnecting = false;

    /// <summary>Whether to reconnect at once after <paramref name="end"/>; <see langword="false"/>: record it as a failure and back off.</summary>
    public bool ReconnectAtOnce(IdleSessionEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        var sessionEnd = end.Code is null or MailboxErrorCodes.Disconnected or MailboxErrorCodes.ConnectionLost or MailboxErrorCodes.Office365SessionExpired;
        if (sessionEnd && (end.Code is null || end.Rounds > 0 || !_reconnecting))
        {
            _reconnecting = end.Code is not null;
            return true;
        }

        _reconnecting = false;
        return false;
    }
}
