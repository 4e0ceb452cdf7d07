namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>Why a poll failed.</summary>
/// <param name="Code">A stable code from <see cref="MailboxErrorCodes"/>, e.g. <c>auth_failed</c>.</param>
/// <param name="Message">A sentence for the admin, with the server's own reply where there is one. Never contains a secret.</param>
/// <param name="At">When it happened (UTC).</param>
/// <param name="Hint">What the admin should check, naming the setup step to fix (see <see cref="MailboxErrorHints"/>); <see langword="null"/> for errors stored before hints existed.</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailboxError")]
public sealed record MailboxError([property: Id(0)] string Code, [property: Id(1)] string Message, [property: Id(2)] DateTimeOffset At, [property: Id(3)] string? Hint = null);
