namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>
/// The Entra ID app registration that reads an <see cref="MailboxAuthType.Office365"/> or <see cref="MailboxAuthType.Graph"/> mailbox. Secrets are write-only:
/// they travel from the API to the grain, are stored encrypted there and are never returned.
/// </summary>
[GenerateSerializer]
[Alias("alarminbox.Office365Settings")]
public sealed record Office365Settings
{
    /// <summary>The default token scope: Exchange Online's resource with <c>/.default</c> (Microsoft docs, "Authenticate an IMAP connection using OAuth").</summary>
    public const string DefaultScope = "https://outlook.office365.com/.default";

    /// <summary>The token scope of <see cref="MailboxAuthType.Graph"/> mailboxes: Microsoft Graph's resource with <c>/.default</c> (public cloud).</summary>
    public const string GraphScope = "https://graph.microsoft.com/.default";

    /// <summary>The default authority host (the public cloud).</summary>
    public const string DefaultAuthorityHost = "login.microsoftonline.com";

    /// <summary>The directory (tenant): a tenant GUID or a verified domain such as <c>contoso.onmicrosoft.com</c>, as normalised by <see cref="Office365Tenant.TryNormalize"/>.</summary>
    [Id(0)] public string Tenant { get; init; } = "";

    /// <summary>The Application (client) ID of the app registration, a GUID.</summary>
    [Id(1)] public string ClientId { get; init; } = "";

    /// <summary>The client secret's <em>value</em> (not its ID); write-only. On update, <see langword="null"/> keeps the stored credential.</summary>
    [Id(2)] public string? ClientSecret { get; init; }

    /// <summary>Instead of a secret: a client certificate with its private key, as base64 of a PFX/PKCS#12 file; write-only.</summary>
    [Id(3)] public string? CertificatePfxBase64 { get; init; }

    /// <summary>The password of <see cref="CertificatePfxBase64"/>, if it has one; write-only.</summary>
    [Id(4)] public string? CertificatePassword { get; init; }

    /// <summary>Instead of a secret: a client certificate and its unencrypted private key in PEM (both blocks in one string); write-only.</summary>
    [Id(5)] public string? CertificatePem { get; init; }

    /// <summary>The token scope; <see cref="DefaultScope"/> (IMAP) or <see cref="GraphScope"/> (Graph) unless a sovereign cloud needs another resource.</summary>
    [Id(6)] public string Scope { get; init; } = DefaultScope;

    /// <summary>The Entra ID host; <see cref="DefaultAuthorityHost"/>, or a national cloud's (e.g. <c>login.microsoftonline.us</c>).</summary>
    [Id(7)] public string AuthorityHost { get; init; } = DefaultAuthorityHost;

    /// <summary>
    /// When the client secret expires, as Entra ID shows it (App registrations → Certificates &amp; secrets → Expires);
    /// optional, not a secret. It feeds the metric <c>alarminbox.office365.credential.expiry</c> and its alert. An update
    /// that keeps the stored secret and omits it keeps the stored date. A certificate's expiry is read from the certificate.
    /// </summary>
    [Id(8)] public DateTimeOffset? ClientSecretExpiresAt { get; init; }

    /// <summary>Whether a credential (secret or certificate) is given in this instance.</summary>
    public bool HasCredential => ClientSecret is not null || CertificatePfxBase64 is not null || CertificatePem is not null;

    /// <summary>The token authority, <c>https://{AuthorityHost}/{Tenant}</c>.</summary>
    public string Authority => $"https://{AuthorityHost}/{Tenant}";

    /// <summary>Returns the settings without any secret, for logging.</summary>
    public override string ToString() =>
        $"Office365Settings {{ Tenant = {Tenant}, ClientId = {ClientId}, Scope = {Scope}, AuthorityHost = {AuthorityHost}, HasCredential = {HasCredential} }}";
}
