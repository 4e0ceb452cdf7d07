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

    /// <summary>
    /// Connection test: the port expects another security mode than the one set (a server that waits silently for a TLS
    /// handshake, as on 993, needs SslOnConnect; one that greets in plain text, as on 143, needs StartTls or None).
    /// </summary>
    public const string SecurityMismatch = "security_mismatch";

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

    /// <summary>
    /// The server refused a session because too many are open for this mailbox (Dovecot: <c>Maximum number of connections
    /// from user+IP exceeded</c>; Exchange Online caps concurrent IMAP sessions per mailbox). Transient: retried after a
    /// short, jittered backoff (seconds up to <c>AlarmInbox:Polling:ConnectionLimitBackoffCap</c>), without a new token.
    /// </summary>
    public const string ConnectionLimit = "connection_limit";

    /// <summary>Something failed that has no more specific code; the message says what.</summary>
    public const string Unexpected = "unexpected";

    /// <summary>
    /// The poll waited too long for its turn to log in: this silo caps concurrent connection attempts and logins per
    /// mail server host (<c>AlarmInbox:Imap:MaxConcurrentLoginsPerHost</c>) and queues the rest in arrival order. Transient.
    /// </summary>
    public const string ServerBusy = "server_busy";

    /// <summary>
    /// Whether retrying soon cannot help: the configuration must change first (wrong credentials, missing folder,
    /// untrusted certificate, unknown host). Such errors are retried slowly (see the backoff in <c>docs/reliability.md</c>).
    /// </summary>
    public static bool IsPermanent(string code) => code is AuthFailed or FolderNotFound or TlsFailed or SecurityMismatch or HostNotFound or StartTlsUnavailable
        or InvalidConfig or Office365SecretIdNotValue or Office365ClientSecretInvalid or Office365ClientSecretExpired or Office365CertificateRejected
        or Office365AppNotFound or Office365TenantNotFound or Office365ConsentMissing or Office365ScopeInvalid or Office365TokenWrongAudience
        or Office365PermissionMissing or Office365TokenWrongTenant or Office365ServicePrincipalMissing or Office365MailboxAccessMissing
        or GraphTokenRejected or GraphTokenWrongAudience or GraphAccessDenied or GraphMailboxNotFound or GraphMailboxNotEnabled or GraphFolderNotFound;

    /// <summary>The settings are invalid (connection test, step <c>validate</c>); the message lists every field.</summary>
    public const string InvalidConfig = "invalid_config";

    /// <summary>Office 365: the client secret is a GUID, i.e. the secret's ID was pasted instead of its value.</summary>
    public const string Office365SecretIdNotValue = "o365_secret_id_not_value";

    /// <summary>Office 365: Entra ID rejected the client secret (AADSTS7000215).</summary>
    public const string Office365ClientSecretInvalid = "o365_client_secret_invalid";

    /// <summary>Office 365: the client secret has expired (AADSTS7000222).</summary>
    public const string Office365ClientSecretExpired = "o365_client_secret_expired";

    /// <summary>Office 365: Entra ID rejected the client certificate (AADSTS700027, AADSTS700024 and related).</summary>
    public const string Office365CertificateRejected = "o365_certificate_rejected";

    /// <summary>Office 365: no application with this client ID in the tenant (AADSTS700016).</summary>
    public const string Office365AppNotFound = "o365_app_not_found";

    /// <summary>Office 365: the tenant does not exist in this cloud (AADSTS90002, AADSTS900023).</summary>
    public const string Office365TenantNotFound = "o365_tenant_not_found";

    /// <summary>Office 365: the app has no service principal or consent in the tenant (AADSTS7000229, AADSTS65001).</summary>
    public const string Office365ConsentMissing = "o365_consent_missing";

    /// <summary>Office 365: the scope is not valid for app-only access (AADSTS1002012, AADSTS70011, AADSTS500011).</summary>
    public const string Office365ScopeInvalid = "o365_scope_invalid";

    /// <summary>Office 365: the token endpoint throttled the app (HTTP 429); the message says until when.</summary>
    public const string Office365TokenThrottled = "o365_token_throttled";

    /// <summary>Office 365: the token endpoint could not be reached or failed (HTTP 5xx, network); transient.</summary>
    public const string Office365TokenServiceUnavailable = "o365_token_service_unavailable";

    /// <summary>Office 365: Entra ID refused the token request for another reason; the message carries its AADSTS code and text.</summary>
    public const string Office365TokenFailed = "o365_token_failed";

    /// <summary>Office 365: the token is not for Exchange Online (its <c>aud</c> claim), e.g. a Microsoft Graph token.</summary>
    public const string Office365TokenWrongAudience = "o365_token_wrong_audience";

    /// <summary>Office 365: the token has no <c>IMAP.AccessAsApp</c> role: the application permission is missing or has no admin consent.</summary>
    public const string Office365PermissionMissing = "o365_permission_missing";

    /// <summary>Office 365: the token was issued by another tenant than the configured one (its <c>tid</c> claim).</summary>
    public const string Office365TokenWrongTenant = "o365_token_wrong_tenant";

    /// <summary>Office 365: Exchange refused a valid token (<c>NO AUTHENTICATE failed.</c>): no Exchange service principal, or one made with the wrong object id.</summary>
    public const string Office365ServicePrincipalMissing = "o365_service_principal_missing";

    /// <summary>Office 365: the login worked but the app may not open this mailbox (<c>BAD User is authenticated but not connected.</c>): FullAccess is missing.</summary>
    public const string Office365MailboxAccessMissing = "o365_mailbox_access_missing";

    /// <summary>Office 365: Exchange refused the app shortly after the mailbox was configured; Exchange may still be applying the setup.</summary>
    public const string Office365ExchangeNotReady = "o365_exchange_not_ready";

    /// <summary>Office 365: Exchange ended the session because the token expired (<c>BYE Session invalidated - AccessTokenExpired</c>); the next connection uses a fresh token.</summary>
    public const string Office365SessionExpired = "o365_session_expired";

    /// <summary>Graph: Microsoft Graph refused the token (HTTP 401 <c>InvalidAuthenticationToken</c>) even after a fresh one was requested.</summary>
    public const string GraphTokenRejected = "graph_token_rejected";

    /// <summary>Graph: the token is not for Microsoft Graph (its <c>aud</c> claim), e.g. an Exchange Online IMAP token.</summary>
    public const string GraphTokenWrongAudience = "graph_token_wrong_audience";

    /// <summary>Graph: the app may not read this mailbox (HTTP 403 <c>ErrorAccessDenied</c>): no Exchange role assignment covers it, or an application access policy excludes it.</summary>
    public const string GraphAccessDenied = "graph_access_denied";

    /// <summary>Graph: no user or mailbox with this address or object id in the tenant (HTTP 404 <c>ErrorInvalidUser</c> / <c>ResourceNotFound</c>).</summary>
    public const string GraphMailboxNotFound = "graph_mailbox_not_found";

    /// <summary>Graph: the user exists but has no Exchange Online mailbox that Graph can reach (HTTP 404 <c>MailboxNotEnabledForRESTAPI</c>): no licence, an on-premises mailbox, or a mailbox still being provisioned.</summary>
    public const string GraphMailboxNotEnabled = "graph_mailbox_not_enabled";

    /// <summary>Graph: the configured folder path does not exist in the mailbox (or no longer: the next poll resolves it again).</summary>
    public const string GraphFolderNotFound = "graph_folder_not_found";

    /// <summary>Graph: Microsoft Graph throttled the app for this mailbox (HTTP 429, or 503 with <c>Retry-After</c>); the mailbox waits at least as long as asked.</summary>
    public const string GraphThrottled = "graph_throttled";

    /// <summary>Graph: Microsoft Graph could not be reached or failed (network, HTTP 5xx); transient.</summary>
    public const string GraphServiceUnavailable = "graph_service_unavailable";

    /// <summary>Graph: Microsoft Graph refused a request for another reason; the message carries its HTTP status, error code and text.</summary>
    public const string GraphRequestFailed = "graph_request_failed";

    /// <summary>Every code, in documentation order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        HostNotFound, ConnectFailed, TlsFailed, SecurityMismatch, StartTlsUnavailable, AuthFailed, FolderNotFound, Timeout, Disconnected, ProtocolError, Throttled, ServerBusy, ConnectionLimit, ConnectionLost, Unexpected,
        InvalidConfig, Office365SecretIdNotValue, Office365ClientSecretInvalid, Office365ClientSecretExpired, Office365CertificateRejected,
        Office365AppNotFound, Office365TenantNotFound, Office365ConsentMissing, Office365ScopeInvalid, Office365TokenThrottled,
        Office365TokenServiceUnavailable, Office365TokenFailed, Office365TokenWrongAudience, Office365PermissionMissing, Office365TokenWrongTenant,
        Office365ServicePrincipalMissing, Office365MailboxAccessMissing, Office365ExchangeNotReady, Office365SessionExpired,
        GraphTokenRejected, GraphTokenWrongAudience, GraphAccessDenied, GraphMailboxNotFound, GraphMailboxNotEnabled, GraphFolderNotFound,
        GraphThrottled, GraphServiceUnavailable, GraphRequestFailed,
    ];
}
