namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>A mailbox's configuration (without secrets) and its status.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Status">The status.</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailboxDetails")]
public sealed record MailboxDetails([property: Id(0)] MailboxConfig Config, [property: Id(1)] MailboxStatus Status);
