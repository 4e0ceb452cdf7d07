namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>
/// The stored messages of one mailbox (the newest <see cref="MailboxLimits.StoredMessages"/>), keyed by the mailbox id.
/// Kept apart from <see cref="IMailboxGrain"/> so that a mailbox that is always active (it polls) does not hold its
/// messages in memory: this grain is active only while mail arrives or someone reads it, and is collected after a few
/// idle minutes. Called by the mailbox grain; the API reads through <see cref="IMailboxGrain.GetMessagesAsync"/>.
/// </summary>
[Alias("alarminbox.IMailboxMessagesGrain")]
public interface IMailboxMessagesGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores the messages that are not stored yet (by UIDVALIDITY and UID) and writes the state once, before returning.
    /// </summary>
    /// <param name="messages">Decoded messages of one fetch batch, in UID order.</param>
    /// <param name="watermarkLastUid">The mailbox's last UID for this UIDVALIDITY before the batch (0 if none): already-stored messages above it are counted in <see cref="MessageStoreResult.StoredBefore"/>.</param>
    /// <param name="skipKnownContent">After a UIDVALIDITY change (RFC 3501 section 2.3.1.1): also skip messages whose content key (Message-ID, else Date, From and size) is already stored.</param>
    /// <returns>How many were added, and how many above the watermark were already there (from an attempt that died before its watermark write).</returns>
    [Alias("AddAsync")]
    Task<MessageStoreResult> AddAsync(IReadOnlyList<MailMessage> messages, uint watermarkLastUid, bool skipKnownContent);

    /// <summary>Returns the newest messages, those of <paramref name="currentUidValidity"/> first, then by UID descending.</summary>
    /// <param name="limit">1 to <see cref="MailboxLimits.MaxMessagesPage"/>; clamped.</param>
    /// <param name="currentUidValidity">The mailbox's current UIDVALIDITY.</param>
    [Alias("GetNewestAsync")]
    Task<IReadOnlyList<MailMessage>> GetNewestAsync(int limit, uint currentUidValidity);

    /// <summary>The content keys of all stored messages and the newest INTERNALDATE among them (for the UIDVALIDITY recovery).</summary>
    [Alias("GetKnownAsync")]
    Task<KnownMessages> GetKnownAsync();

    /// <summary>Deletes every stored message of the mailbox.</summary>
    [Alias("ClearAsync")]
    Task ClearAsync();
}

/// <summary>Outcome of <see cref="IMailboxMessagesGrain.AddAsync"/>.</summary>
/// <param name="Added">Messages newly stored.</param>
/// <param name="StoredBefore">Messages above the given watermark that were already stored.</param>
[GenerateSerializer]
[Immutable]
[Alias("alarminbox.MessageStoreResult")]
public sealed record MessageStoreResult([property: Id(0)] int Added, [property: Id(1)] int StoredBefore);

/// <summary>What the message store knows, for matching after a UIDVALIDITY change.</summary>
/// <param name="ContentKeys">Content keys of every stored message.</param>
/// <param name="NewestInternalDate">The newest INTERNALDATE among them, if any.</param>
[GenerateSerializer]
[Immutable]
[Alias("alarminbox.KnownMessages")]
public sealed record KnownMessages([property: Id(0)] IReadOnlyList<string> ContentKeys, [property: Id(1)] DateTimeOffset? NewestInternalDate);
