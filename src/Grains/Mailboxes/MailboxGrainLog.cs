using Microsoft.Extensions.Logging;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>The log events of a mailbox grain and its poll (event ids 1001–1016 of the mailboxes' range); safe identifiers only.</summary>
internal static partial class MailboxGrainLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Mailbox {MailboxId} created for tenant {TenantId}")]
    public static partial void Created(this ILogger logger, string mailboxId, string tenantId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Mailbox {MailboxId} deleted")]
    public static partial void Deleted(this ILogger logger, string mailboxId);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Mailbox {MailboxId} synced: {Count} new, watermark {UidValidity}/{LastUid}, {DurationMs:0.0} ms")]
    public static partial void Polled(this ILogger logger, string mailboxId, int count, uint uidValidity, uint lastUid, double durationMs);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Mailbox {MailboxId} poll failed with {Code} ({Failures} in a row), {DurationMs:0.0} ms")]
    public static partial void PollFailed(this ILogger logger, string mailboxId, string code, int failures, double durationMs);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: the server does not offer IDLE; polling instead")]
    public static partial void IdleUnsupported(this ILogger logger, string mailboxId);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: {Failures} IDLE attempts failed in a row; polling for {Minutes:0} min instead")]
    public static partial void IdleFallback(this ILogger logger, string mailboxId, int failures, double minutes);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Debug, Message = "Mailbox {MailboxId}: the open IMAP session failed with {Code}; opening a new one")]
    public static partial void OpenSessionFailed(this ILogger logger, string mailboxId, string code);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: the IDLE session ended ({Code}); reconnecting at once")]
    public static partial void SessionEnded(this ILogger logger, string mailboxId, string code);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Debug, Message = "Graph mailbox {MailboxId}: {Pages} delta pages, {Count} new, link expired and restarted {Restarted}, more waiting {MoreWaiting}")]
    public static partial void GraphRound(this ILogger logger, string mailboxId, int pages, int count, bool restarted, bool moreWaiting);
}
