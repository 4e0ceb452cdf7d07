namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// What <see cref="ImapIdleSessions"/> tells a mailbox grain about the IDLE session it holds for it. Silo-internal: the
/// service runs on the silo of the grain's activation; the API never calls these (which is why this interface is not in
/// <c>Grains.Interfaces</c>). Ordinary grain calls, so the grain handles them one at a time with all its other calls.
/// </summary>
[Alias("alarminbox.IMailboxIdleEvents")]
public interface IMailboxIdleEvents : IGrainWithStringKey
{
    /// <summary>
    /// An IDLE round ended: the server answered DONE (proof that the connection is alive), and
    /// <paramref name="changed"/> says whether it reported a change of the folder. For a polled session
    /// (<see cref="PollWatch"/>): a round found a UID above the watermark or another UIDVALIDITY (always
    /// <paramref name="changed"/> true; empty rounds make no call, the grain reads their time at its watchdog tick). The
    /// session waits parked until the call returns; the grain may take it (<see cref="ImapIdleSessions.TakeAsync"/>) to sync.
    /// </summary>
    [Alias("OnIdleRoundAsync")]
    Task OnIdleRoundAsync(bool changed);

    /// <summary>The session (in IDLE or polled) ended without being taken (the server or the network ended it, or it reached its lifetime); it is closed.</summary>
    [Alias("OnIdleSessionEndedAsync")]
    Task OnIdleSessionEndedAsync(IdleSessionEnd end);
}
