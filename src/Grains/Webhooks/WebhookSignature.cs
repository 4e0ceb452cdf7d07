using System.Security.Cryptography;
using System.Text;

namespace AlarmInbox.Grains.Webhooks;

/// <summary>The signature header of a webhook POST: <c>X-AlarmInbox-Signature: sha256=&lt;hex&gt;</c>.</summary>
public static class WebhookSignature
{
    /// <summary>The header name.</summary>
    public const string HeaderName = "X-AlarmInbox-Signature";

    /// <summary>Computes the header value: <c>sha256=</c> and the lower-case hex HMAC-SHA256 of the exact body bytes, keyed with the UTF-8 bytes of the secret.</summary>
    public static string Compute(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Checks a header value in constant time.</summary>
    public static bool Verify(string secret, byte[] body, string? header) =>
        header is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(secret, body)), Encoding.ASCII.GetBytes(header.Trim()));
}
