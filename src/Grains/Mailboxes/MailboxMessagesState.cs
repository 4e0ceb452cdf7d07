using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>The newest stored messages of a mailbox (state name <c>mailbox-messages</c>), oldest first, at most <see cref="MailboxLimits.StoredMessages"/>.</summary>
[GenerateSerializer]
[Alias("alarminbox.MailboxMessagesState")]
public sealed class MailboxMessagesState
{
    [Id(0)] public List<MailMessage> Messages { get; set; } = [];
}
