using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// Where the stored messages of mailboxes and inbound addresses (the owner) are kept as records, one row per message,
/// so that storing one costs the same whatever is stored. <see cref="MailboxMessagesGrain"/> and the inbound address
/// grain decide; this adapter stores and finds. Retention (newest per owner) is a background step.
/// </summary>
public interface IMessageStore
{
    /// <summary>Which of the messages (by UIDVALIDITY and UID) are stored for the owner.</summary>
    Task<IReadOnlySet<(uint UidValidity, uint Uid)>> FindStoredAsync(string ownerId, IReadOnlyList<MailMessage> messages);

    /// <summary>Which of the content keys (<see cref="MessageKeys.ContentKey(MailMessage)"/>) are stored for the owner.</summary>
    Task<IReadOnlySet<string>> FindContentKeysAsync(string ownerId, IReadOnlyCollection<string> contentKeys);

    /// <summary>Stores messages not stored yet (by UIDVALIDITY and UID), in one transaction.</summary>
    Task AddAsync(string ownerId, IReadOnlyList<MailMessage> messages);

    /// <summary>The newest messages: those of <paramref name="currentUidValidity"/> first, then by UID descending; at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<MailMessage>> NewestAsync(string ownerId, int limit, uint currentUidValidity);

    /// <summary>Content keys of every stored message of the owner and the newest INTERNALDATE among them.</summary>
    Task<KnownMessages> KnownAsync(string ownerId);

    /// <summary>Deletes every stored message of the owner.</summary>
    Task DeleteOwnerAsync(string ownerId);
}
