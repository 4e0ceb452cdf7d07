namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>What a mailbox is doing.</summary>
[GenerateSerializer]
[Alias("alarminbox.MailboxState")]
public enum MailboxState
{
    /// <summary>Enabled and waiting for its next poll; the last poll succeeded (or none has run yet).</summary>
    Idle = 0,

    /// <summary>A poll is running.</summary>
    Polling = 1,

    /// <summary>Paused by an admin, or disabled in its config: not polled.</summary>
    Paused = 2,

    /// <summary>The last poll failed; see <see cref="MailboxStatus.LastError"/>. It is tried again at the next interval.</summary>
    Failing = 3,
}
