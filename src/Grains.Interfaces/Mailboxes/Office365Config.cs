namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>The readable part of <see cref="Office365Settings"/>: no secret, only whether one is stored.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.Office365Config")]
public sealed record Office365Config
{
    /// <summary>The normalised tenant (GUID or verified domain).</summary>
    [Id(0)] public required string Tenant { get; init; }

    /// <summary>The Application (client) ID.</summary>
    [Id(1)] public required string ClientId { get; init; }

    /// <summary>The token scope.</summary>
    [Id(2)] public required string Scope { get; init; }

    /// <summary>The Entra ID host.</summary>
    [Id(3)] public required string AuthorityHost { get; init; }

    /// <summary>Whether a client secret is stored.</summary>
    [Id(4)] public bool HasClientSecret { get; init; }

    /// <summary>Whether a client certificate is stored.</summary>
    [Id(5)] public bool HasCertificate { get; init; }

    /// <summary>When the stored client secret expires, if the operator gave the date.</summary>
    [Id(6)] public DateTimeOffset? ClientSecretExpiresAt { get; init; }

    /// <summary>When the stored client certificate expires (its NotAfter).</summary>
    [Id(7)] public DateTimeOffset? CertificateExpiresAt { get; init; }
}
