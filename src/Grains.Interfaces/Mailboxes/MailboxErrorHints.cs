namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>
/// One hint per <see cref="MailboxErrorCodes"/> code: what the admin should check, naming the setup step to fix. The same
/// texts are in <c>docs/errors.md</c>; Office 365 steps refer to the numbered steps of <c>docs/office365.md</c>.
/// </summary>
public static class MailboxErrorHints
{
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        [MailboxErrorCodes.HostNotFound] = "Check the spelling of host: only the name, such as imap.example.org, with no imaps:// and no port. Check that the silo machine can resolve names.",
        [MailboxErrorCodes.ConnectFailed] = "Check port (993 for SslOnConnect, 143 for StartTls/None), that the server runs, and that a firewall allows the silo machine outbound to that port.",
        [MailboxErrorCodes.TlsFailed] = "Check the port/security pair (993 = SslOnConnect, 143 = StartTls). The server's certificate must be valid for host and trusted by the silo machine's CA store.",
        [MailboxErrorCodes.SecurityMismatch] = "Match security to the port: 993 is SslOnConnect (TLS at once), 143 is StartTls (or None on a trusted network). The message names the mode this server expects on this port.",
        [MailboxErrorCodes.StartTlsUnavailable] = "Use SslOnConnect on port 993 if the server supports it; use None only on a trusted network.",
        [MailboxErrorCodes.AuthFailed] = "Check username (usually the full e-mail address) and password, and whether the provider requires an app password or has disabled IMAP for the account.",
        [MailboxErrorCodes.FolderNotFound] = "Check folder: INBOX is the usual one; sub-folders use the server's separator (INBOX/Alarm) and are usually case-sensitive.",
        [MailboxErrorCodes.Timeout] = "Check that host/port point to an IMAP server, and the network path and the server's load.",
        [MailboxErrorCodes.Disconnected] = "Usually transient. If it repeats, check whether the server limits concurrent connections or a firewall cuts connections.",
        [MailboxErrorCodes.ProtocolError] = "Check that port points to an IMAP service; the message quotes the server's reply (an account may be locked or not allowed to use IMAP).",
        [MailboxErrorCodes.ServerBusy] = "Transient: many mailboxes of this silo were logging in to the same server at once (silo start, the server was slow). The mailbox tries again shortly. If it persists, the server answers logins slowly: check its load, or raise AlarmInbox:Imap:MaxConcurrentLoginsPerHost if the server allows more.",
        [MailboxErrorCodes.Throttled] = "Usually transient: the mailbox waits at least the server's suggested time. If it persists, check whether other programs read the same mailbox (Exchange counts them together) and whether the poll interval is very short.",
        [MailboxErrorCodes.ConnectionLimit] = "Another program holds the mailbox's sessions; Exchange allows a limited number per mailbox (Dovecot: mail_max_userip_connections). Close IMAP sessions of other programs or devices that read this mailbox, or raise the server's limit; AlarmInbox itself holds one. The mailbox retries within a minute.",
        [MailboxErrorCodes.ConnectionLost] = "A single occurrence is harmless; the mailbox reconnects at once. If it repeats, a firewall or NAT drops idle connections earlier than the IDLE heartbeat (AlarmInbox:Polling:IdleHeartbeat, 2 min): lower the heartbeat.",
        [MailboxErrorCodes.Unexpected] = "Read the message. If a stored secret cannot be decrypted, set it again with PUT; otherwise check the silo log and report it.",
        [MailboxErrorCodes.InvalidConfig] = "Fix the fields named in the message; nothing was stored or contacted.",
        [MailboxErrorCodes.Office365SecretIdNotValue] = "Step 2 (client secret): paste the secret's Value, not its Secret ID. The value is shown only once after 'New client secret'; if it is hidden now, create a new secret and copy the Value column.",
        [MailboxErrorCodes.Office365ClientSecretInvalid] = "Step 2 (client secret): the secret does not belong to this app. Copy the Value (not the Secret ID) of a current secret of exactly this app registration (Certificates & secrets), and check clientId.",
        [MailboxErrorCodes.Office365ClientSecretExpired] = "Step 2 (client secret): the secret has expired. Create a new client secret under Certificates & secrets and set it with PUT (office365.clientSecret).",
        [MailboxErrorCodes.Office365CertificateRejected] = "Step 2 (certificate): upload the certificate's public part (.cer) to this app registration under Certificates & secrets → Certificates, and check that it has not expired and that the clock of the silo machine is right.",
        [MailboxErrorCodes.Office365AppNotFound] = "Step 1 (app registration): clientId must be the Application (client) ID of an app registered in this tenant. Check clientId and tenant (the app must live in the tenant of the mailbox).",
        [MailboxErrorCodes.Office365TenantNotFound] = "Step 1: tenant must be your Directory (tenant) ID or a verified domain of it, and authorityHost must be your cloud's (login.microsoftonline.com for the public cloud).",
        [MailboxErrorCodes.Office365ConsentMissing] = "Step 3 (API permissions): grant admin consent for the app in this tenant ('Grant admin consent for …' on the API permissions page).",
        [MailboxErrorCodes.Office365ScopeInvalid] = "scope must be https://outlook.office365.com/.default (app-only needs the resource with /.default; Microsoft Graph or delegated scopes do not work for IMAP).",
        [MailboxErrorCodes.Office365TokenThrottled] = "Entra ID throttled this app. Nothing to change; AlarmInbox waits for the time Entra asked for (Retry-After) before the next token request.",
        [MailboxErrorCodes.Office365TokenServiceUnavailable] = "Usually transient; AlarmInbox tries again with growing pauses. If it persists, check that the silo machine reaches https://{authorityHost} (DNS, proxy, firewall) and that authorityHost is right.",
        [MailboxErrorCodes.Office365TokenFailed] = "Look up the AADSTS number of the message in Microsoft's list of Entra ID error codes (https://learn.microsoft.com/entra/identity-platform/reference-error-codes) and check steps 1–3.",
        [MailboxErrorCodes.Office365TokenWrongAudience] = "scope must be https://outlook.office365.com/.default; the token was issued for another resource (e.g. Microsoft Graph), which IMAP refuses.",
        [MailboxErrorCodes.Office365PermissionMissing] = "Step 3 (API permissions): add the application permission IMAP.AccessAsApp of 'Office 365 Exchange Online' (APIs my organization uses), not the Microsoft Graph IMAP permission, then click 'Grant admin consent'.",
        [MailboxErrorCodes.Office365TokenWrongTenant] = "Step 1: tenant must be the tenant of the mailbox, and the app must be registered (or consented) there.",
        [MailboxErrorCodes.Office365ServicePrincipalMissing] = "Step 4 (Exchange service principal): run New-ServicePrincipal -AppId <clientId> -ObjectId <Object ID from Enterprise applications, not from App registrations>; check with Get-ServicePrincipal. Changes can take up to 30 minutes to apply.",
        [MailboxErrorCodes.Office365MailboxAccessMissing] = "Step 5 (mailbox permission): run Add-MailboxPermission -Identity <mailbox> -User <service principal> -AccessRights FullAccess. Changes can take up to 30 minutes to apply.",
        [MailboxErrorCodes.Office365ExchangeNotReady] = "The app registration was accepted but Exchange refused the app. This was configured only minutes ago and Exchange applies service principals and mailbox permissions with a delay: try again in a few minutes. If it persists for more than 30 minutes, check steps 4 and 5.",
        [MailboxErrorCodes.Office365SessionExpired] = "Nothing to change: Exchange ended a session whose token expired; the next connection uses a fresh token.",
        [MailboxErrorCodes.GraphTokenRejected] = "docs/graph.md step 1: the token was issued but Microsoft Graph refused it. Check office365.tenant (the tenant of the mailbox), that office365.scope is https://graph.microsoft.com/.default, and the clock of the silo machine.",
        [MailboxErrorCodes.GraphTokenWrongAudience] = "docs/graph.md step 1: office365.scope must be https://graph.microsoft.com/.default (or your national cloud's Graph resource); the token was issued for another resource, such as Exchange Online IMAP.",
        [MailboxErrorCodes.GraphAccessDenied] = "docs/graph.md step 4 (Exchange role assignment): New-ManagementRoleAssignment -App <service principal> -Role \"Application Mail.Read\" -CustomResourceScope <scope that contains this mailbox>; check with Test-ServicePrincipalAuthorization -Identity <service principal> -Resource <mailbox> (InScope must be True). With the older application access policy instead: Test-ApplicationAccessPolicy. Exchange applies changes with a delay.",
        [MailboxErrorCodes.GraphMailboxNotFound] = "username must be the mailbox's e-mail address (its primary SMTP address or user principal name) or its Entra object id, in the tenant of office365.tenant.",
        [MailboxErrorCodes.GraphMailboxNotEnabled] = "The user has no Exchange Online mailbox that Microsoft Graph can reach: give it an Exchange Online licence (or use a shared mailbox), wait until the mailbox is provisioned; on-premises mailboxes are not reachable through Graph.",
        [MailboxErrorCodes.GraphFolderNotFound] = "folder: Inbox (the default, whatever its display name in the mailbox's language) or a path of display names below it or at the top level, separated by /, e.g. Inbox/Alarm; names are compared without regard to case.",
        [MailboxErrorCodes.GraphThrottled] = "Usually transient: the mailbox waits at least Graph's Retry-After. Graph allows an app 4 concurrent requests and 10,000 requests per 10 minutes per mailbox; check whether other programs of the same app registration read this mailbox, and whether the poll interval is very short.",
        [MailboxErrorCodes.GraphServiceUnavailable] = "Usually transient; the mailbox tries again with growing pauses. If it persists, check that the silo machine reaches https://graph.microsoft.com (DNS, proxy, firewall) and Microsoft 365's service health.",
        [MailboxErrorCodes.GraphRequestFailed] = "Read the message: it carries Microsoft Graph's HTTP status, error code and text. Check docs/graph.md steps 1–4 and report it if the setup is right.",
    };

    /// <summary>The hint for <paramref name="code"/>, or <see langword="null"/> for an unknown code.</summary>
    /// <param name="code">A <see cref="MailboxErrorCodes"/> code.</param>
    /// <param name="authorityHost">The Entra ID host of the mailbox (<c>office365.authorityHost</c>, may carry a port), named where a hint points at it; <see cref="Office365Settings.DefaultAuthorityHost"/> when omitted.</param>
    public static string? For(string code, string? authorityHost = null) =>
        Hints.GetValueOrDefault(code)?.Replace("{authorityHost}", string.IsNullOrWhiteSpace(authorityHost) ? Office365Settings.DefaultAuthorityHost : authorityHost, StringComparison.Ordinal);
}
