using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// The stored messages of one mailbox (state name <c>mailbox-messages</c>, the same row the mailbox grain used to hold).
/// Not kept alive: collected after <see cref="CollectionMinutes"/> idle minutes, so that 10,000 polling mailboxes do
/// not hold their messages in memory.
/// </summary>
[GrainType("mailbox-messages")]
[CollectionAgeLimit(Minutes = CollectionMinutes)]
public sealed class MailboxMessagesGrain(
    [PersistentState("mailbox-messages", StorageNames.Default)] IPersistentState<MailboxMessagesState> store) : Grain, IMailboxMessagesGrain
{
    /// <summary>Idle minutes after which the grain (and the messages it holds) leaves memory.</summary>
    public const double CollectionMinutes = 2;

    /// <inheritdoc />
    public async Task<MessageStoreResult> AddAsync(IReadOnlyList<MailMessage> messages, uint watermarkLastUid, bool skipKnownContent)
    {
        var stored = store.State.Messages;
        var known = skipKnownContent ? stored.Select(MessageKeys.ContentKey).ToHashSet(StringComparer.Ordinal) : null;
        var added = 0;
        var storedBefore = 0;
        foreach (var message in messages)
        {
            if (stored.Exists(m => m.UidValidity == message.UidValidity && m.Uid == message.Uid))
            {
                storedBefore += message.Uid > watermarkLastUid ? 1 : 0;
                continue;
            }

            if (known is not null && !known.Add(MessageKeys.ContentKey(message)))
            {
                continue;
            }

            stored.Add(message);
            added++;
        }

        if (stored.Count > MailboxLimits.StoredMessages)
        {
            stored.RemoveRange(0, stored.Count - MailboxLimits.StoredMessages);
        }

        if (added > 0)
        {
            await store.WriteStateAsync();
        }

        return new MessageStoreResult(added, storedBefore);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MailMessage>> GetNewestAsync(int limit, uint currentUidValidity)
    {
        limit = Math.Clamp(limit, 1, MailboxLimits.MaxMessagesPage);
        IReadOnlyList<MailMessage> newest = store.State.Messages
            .OrderByDescending(m => m.UidValidity == currentUidValidity)
            .ThenByDescending(m => m.Uid)
            .Take(limit)
            .ToList();
        return Task.FromResult(newest);
    }

    /// <inheritdoc />
    public Task<KnownMessages> GetKnownAsync() => Task.FromResult(new KnownMessages(
        store.State.Messages.Select(MessageKeys.ContentKey).ToList(),
        store.State.Messages.Max(m => m.InternalDate)));

    /// <inheritdoc />
    public async Task ClearAsync()
    {
        await store.ClearStateAsync();
        DeactivateOnIdle();
    }
}
