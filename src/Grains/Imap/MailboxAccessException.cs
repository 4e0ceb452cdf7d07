namespace AlarmInbox.Grains.Imap;

/// <summary>An IMAP step failed in an expected way (server down, login rejected, folder missing…).</summary>
/// <param name="code">A code from <see cref="AlarmInbox.Grains.Interfaces.Mailboxes.MailboxErrorCodes"/>.</param>
/// <param name="message">A sentence for the admin; never contains a secret.</param>
/// <param name="innerException">The library's exception.</param>
/// <param name="retryAfter">How long the server asked us to wait (Exchange's "Suggested Backoff Time"), if it did.</param>
public sealed class MailboxAccessException(string code, string message, Exception? innerException = null, TimeSpan? retryAfter = null)
    : Exception(message, innerException)
{
    /// <summary>The stable error code.</summary>
    public string Code { get; } = code;

    /// <summary>How long the server asked us to wait before the next attempt, if it said so.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>The server's own status line for the failure (e.g. <c>NO [LIMIT] Maximum number of connections …</c>, <c>BYE …</c>), when it sent one.</summary>
    public string? ServerReply { get; internal set; }
}
