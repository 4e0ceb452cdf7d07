using System.Security.Cryptography;
using System.Text;

namespace AlarmInbox.Api.Security;

/// <summary>
/// The API key format <c>aik_&lt;id&gt;_&lt;secret&gt;</c>: a 12-hex-character public id and a 256-bit random secret
/// (base64url, 43 characters). Only the SHA-256 of the whole key string is stored.
/// </summary>
public static class ApiKeys
{
    /// <summary>The key id of the bootstrap operator key from configuration.</summary>
    public const string BootstrapKeyId = "bootstrap";

    private const string Prefix = "aik_";

    /// <summary>Draws a new key.</summary>
    /// <returns>The public id and the whole key (shown once to the caller, never stored).</returns>
    public static (string Id, string Key) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (id, $"{Prefix}{id}_{secret}");
    }

    /// <summary>The key id of a key in our format; null for anything else.</summary>
    public static string? TryGetId(string key)
    {
        if (key.Length != Prefix.Length + 12 + 1 + 43 || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[Prefix.Length + 12] != '_')
        {
            return null;
        }

        var id = key.Substring(Prefix.Length, 12);
        return id.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)) ? id : null;
    }

    /// <summary>SHA-256 of the UTF-8 bytes of <paramref name="key"/> (32 bytes).</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Compares a key with a stored hash in constant time.</summary>
    public static bool Matches(string key, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(key), storedHash);
}
