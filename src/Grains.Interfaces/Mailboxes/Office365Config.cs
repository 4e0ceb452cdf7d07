namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>The readable part of <see cref="Office365Settings"/>: no secret, only whether one is stored.</summary>
/// <param name="Tenant">The normalised tenant (GUID or verified domain).</param>
/// <param name="ClientId">The Application (client) ID.</param>
/// <param name="Scope">The token scope.</param>
/// <param name="AuthorityHost">The Entra ID host.</param>
/// <param name="HasClientSecret">Whether a client secret is stored.</param>
/// <param name="HasCertificate">Whether a client certificate is stored.</param>
/// <param name="ClientSecretExpiresAt">When the stored client secret expires, if the operator gave the date.</param>
/// <param name="CertificateExpiresAt">When the stored client certificate expires (its NotAfter).</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.Office365Config")]
public sealed record Office365Config(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string ClientId,
    [property: Id(2)] string Scope,
    [property: Id(3)] string AuthorityHost,
    [property: Id(4)] bool HasClientSecret,
    [property: Id(5)] bool HasCertificate,
    [property: Id(6)] DateTimeOffset? ClientSecretExpiresAt = null,
    [property: Id(7)] DateTimeOffset? CertificateExpiresAt = null);
