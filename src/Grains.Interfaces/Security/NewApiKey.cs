namespace AlarmInbox.Grains.Interfaces.Security;

/// <summary>
/// A key to store, as the API asked for it: the API draws the key (<c>aik_&lt;id&gt;_&lt;secret&gt;</c>) and sends only its
/// id and hash; <see cref="IApiKeyDirectoryGrain.CreateAsync"/> checks the rest (<see cref="ApiKeyValidator"/>).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.NewApiKey")]
public sealed record NewApiKey
{
    /// <summary>The public key id (12 lower-case hex characters), also the first part of the key.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>What the key is for; checked and trimmed by the directory.</summary>
    [Id(1)] public string? Name { get; init; }

    /// <summary>What the key may do; required.</summary>
    [Id(2)] public ApiKeyRole? Role { get; init; }

    /// <summary>The tenant of a <see cref="ApiKeyRole.TenantAdmin"/> key (must exist); omitted for an operator key.</summary>
    [Id(3)] public string? TenantId { get; init; }

    /// <summary>SHA-256 of the UTF-8 bytes of the whole key string (32 bytes).</summary>
    [Id(4)] public required byte[] SecretHash { get; init; }

    /// <summary>The key id that creates it.</summary>
    [Id(5)] public required string CreatedBy { get; init; }
}
