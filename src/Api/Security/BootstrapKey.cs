using Microsoft.Extensions.Options;

namespace AlarmInbox.Api.Security;

/// <summary>The SHA-256 hash of the configured bootstrap operator key, computed once; the key itself is not kept.</summary>
public sealed class BootstrapKey(IOptions<ApiSecurityOptions> options)
{
    private readonly byte[]? _hash = string.IsNullOrEmpty(options.Value.BootstrapOperatorKey) ? null : ApiKeys.Hash(options.Value.BootstrapOperatorKey);

    /// <summary>Whether a bootstrap key is configured.</summary>
    public bool IsConfigured => _hash is not null;

    /// <summary>Whether <paramref name="key"/> is the bootstrap key (constant-time comparison of hashes).</summary>
    public bool Matches(string key) => _hash is not null && ApiKeys.Matches(key, _hash);
}
