namespace AlarmInbox.Grains.Imap;

/// <summary>Opens authenticated IMAP sessions with a folder selected. The MailKit implementation is <see cref="MailKitImapConnector"/>.</summary>
public interface IImapConnector
{
    /// <summary>Connects, secures, logs in and selects the folder read-only (EXAMINE, RFC 3501 section 6.3.2).</summary>
    /// <exception cref="MailboxAccessException">Any step failed; its <see cref="MailboxAccessException.Code"/> says which.</exception>
    Task<IImapSession> OpenAsync(ImapConnectRequest request, CancellationToken cancellationToken);
}
