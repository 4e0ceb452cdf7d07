using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// The stored messages of one mailbox, kept as records in <see cref="IMessageStore"/> (one row per message; the
/// retention step keeps the newest <see cref="MailboxLimits.StoredMessages"/>). The grain state (name
/// <c>mailbox-messages</c>) only holds what the release before kept inside it, moved into the store at activation.
/// Collected after <see cref="CollectionMinutes"/> idle minutes.
/// </summary>
[GrainType("mailbox-messages")]
[CollectionAgeLimit(Minutes = CollectionMinutes)]
public sealed partial class MailboxMessagesGrain(
    [PersistentState("mailbox-messages", StorageNames.Default)] IPersistentState<MailboxMessagesState> legacy,
    IMessageStore store,
    ILogger<MailboxMessagesGrain> logger) : Grain, IMailboxMessagesGrain
{
    /// <summary>Idle minutes after which the grain leaves memory.</summary>
    public const double CollectionMinutes = 2;

    private string MailboxId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (legacy.State.Messages.Count == 0)
        {
            return;
        }

        // Idempotent: messages already moved are skipped by their UIDVALIDITY and UID when this runs again after a crash.
        var count = legacy.State.Messages.Count;
        foreach (var chunk in legacy.State.Messages.Chunk(200))
        {
            await store.AddAsync(MailboxId, chunk);
        }

        await legacy.ClearStateAsync();
        LogMigrated(logger, MailboxId, count);
    }

    /// <inheritdoc />
    public async Task<MessageStoreResult> AddAsync(IReadOnlyList<MailMessage> messages, uint watermarkLastUid, bool skipKnownContent)
    {
        var stored = await store.FindStoredAsync(MailboxId, messages);
        var known = skipKnownContent
            ? new HashSet<string>(await store.FindContentKeysAsync(MailboxId, messages.Select(MessageKeys.ContentKey).ToList()), StringComparer.Ordinal)
            : null;
        var added = new List<MailMessage>();
        var storedBefore = 0;
        foreach (var message in messages)
        {
            if (stored.Contains((message.UidValidity, message.Uid)) || added.Exists(m => m.UidValidity == message.UidValidity && m.Uid == message.Uid))
            {
                storedBefore += stored.Contains((message.UidValidity, message.Uid)) && message.Uid > watermarkLastUid ? 1 : 0;
                continue;
            }

            if (known is not null && !known.Add(MessageKeys.ContentKey(message)))
            {
                continue;
            }

            added.Add(message);
        }

        await store.AddAsync(MailboxId, added);
        return new MessageStoreResult(added.Count, storedBefore);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MailMessage>> GetNewestAsync(int limit, uint currentUidValidity) =>
        store.NewestAsync(MailboxId, Math.Clamp(limit, 1, MailboxLimits.MaxMessagesPage), currentUidValidity);

    /// <inheritdoc />
    public Task<KnownMessages> GetKnownAsync() => store.KnownAsync(MailboxId);

    /// <inheritdoc />
    public async Task ClearAsync()
    {
        await store.DeleteOwnerAsync(MailboxId);
        await legacy.ClearStateAsync();
        DeactivateOnIdle();
    }

    [LoggerMessage(EventId = 3250, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: moved {Count} stored messages from the grain state into the record table")]
    private static partial void LogMigrated(ILogger logger, string mailboxId, int count);
}
