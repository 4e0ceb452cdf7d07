using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>Legacy state (name <c>mailbox-messages</c>): the messages the release before kept here, oldest first; moved to <see cref="IMessageStore"/> at activation.</summary>
[GenerateSerializer]
[Alias("alarminbox.MailboxMessagesState")]
public sealed class MailboxMessagesState
{
    [Id(0)] public List<MailMessage> Messages { get; set; } = [];
}
