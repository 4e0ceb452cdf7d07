using AlarmInbox.Grains.Imap;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>An open IMAP session of a mailbox with the time it was opened (sessions are renewed after <see cref="PollingOptions.SessionLifetime"/>).</summary>
/// <param name="Session">The authenticated session with the folder selected.</param>
/// <param name="OpenedAt">When it was opened.</param>
public sealed record HeldImapSession(IImapSession Session, DateTimeOffset OpenedAt);
