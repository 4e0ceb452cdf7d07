namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>The stable error codes of a poll, documented with their hints in <c>docs/errors.md</c>.</summary>
public static class MailboxErrorCodes
{
    /// <summary>The host name could not be resolved.</summary>
    public const string HostNotFound = "host_not_found";

    /// <summary>The TCP connection was refused or could not be made.</summary>
    public const string ConnectFailed = "connect_failed";

    /// <summary>The TLS handshake failed, e.g. the server's certificate is not trusted.</summary>
    public const string TlsFailed = "tls_failed";

    /// <summary>The server does not offer STARTTLS although the mailbox asks for it.</summary>
    public const string StartTlsUnavailable = "starttls_unavailable";

    /// <summary>The server rejected the login (wrong user name or password).</summary>
    public const string AuthFailed = "auth_failed";

    /// <summary>The configured folder does not exist or cannot be selected.</summary>
    public const string FolderNotFound = "folder_not_found";

    /// <summary>The server did not answer in time.</summary>
    public const string Timeout = "timeout";

    /// <summary>The server closed the connection unexpectedly.</summary>
    public const string Disconnected = "disconnected";

    /// <summary>The server answered a command with NO or BAD, or with something that is not IMAP.</summary>
    public const string ProtocolError = "protocol_error";

    /// <summary>The server throttles this client (Exchange: "Request is throttled. Suggested Backoff Time: n milliseconds"); the mailbox waits at least as long as suggested.</summary>
    public const string Throttled = "throttled";

    /// <summary>The connection stopped answering (half-open TCP, a dropped NAT mapping); the mailbox reconnects.</summary>
    public const string ConnectionLost = "connection_lost";

    /// <summary>Something failed that has no more specific code; the message says what.</summary>
    public const string Unexpected = "unexpected";

    /// <summary>
    /// Whether retrying soon cannot help: the configuration must change first (wrong credentials, missing folder,
    /// untrusted certificate, unknown host). Such errors are retried slowly (see the backoff in <c>docs/reliability.md</c>).
    /// </summary>
    public static bool IsPermanent(string code) => code is AuthFailed or FolderNotFound or TlsFailed or HostNotFound or StartTlsUnavailable;
}
