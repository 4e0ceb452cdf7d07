namespace AlarmInbox.Grains.Interfaces.Security;

/// <summary>A stored API key: its public id and the SHA-256 hash of its secret, never the secret itself.</summary>
/// <param name="Id">The public key id (12 lower-case hex characters), also the first part of the key.</param>
/// <param name="Name">What the key is for, 1 to 100 characters.</param>
/// <param name="Role">What the key may do.</param>
/// <param name="TenantId">The tenant of a <see cref="ApiKeyRole.TenantAdmin"/> key; null for an operator key.</param>
/// <param name="SecretHash">SHA-256 of the UTF-8 bytes of the whole key string (32 bytes).</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="CreatedBy">The key id that created it.</param>
/// <param name="RevokedAt">When it was revoked (UTC); null while valid.</param>
[GenerateSerializer]
[Immutable]
[Alias("alarminbox.ApiKeyInfo")]
public sealed record ApiKeyInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] ApiKeyRole Role,
    [property: Id(3)] string? TenantId,
    [property: Id(4)] byte[] SecretHash,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string CreatedBy,
    [property: Id(7)] DateTimeOffset? RevokedAt);
