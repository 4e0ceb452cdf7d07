namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>Why a poll failed.</summary>
/// <param name="Code">A stable code from <see cref="MailboxErrorCodes"/>, e.g. <c>auth_failed</c>.</param>
/// <param name="Message">A sentence for the admin, with the server's own reply where there is one. Never contains a secret.</param>
/// <param name="At">When it happened (UTC).</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailboxError")]
public sealed record MailboxError([property: Id(0)] string Code, [property: Id(1)] string Message, [property: Id(2)] DateTimeOffset At);
