using System.Security.Cryptography;

namespace AlarmInbox.Grains.Interfaces.Ids;

/// <summary>
/// The one id scheme for what the API creates: <c>&lt;prefix&gt;-</c> and 16 characters of the lower-case base-32
/// alphabet <c>a-z2-7</c> (80 bits), e.g. <c>mbx-sblyjmrldyb37pqz</c>. Drawn at random for mailboxes (<c>mbx</c>),
/// webhooks (<c>whk</c>) and inbound addresses (<c>inb</c>); derived from a hash for alarms (<c>alm</c>), so that a mail
/// handed in again gets the same id. The prefix says what an id names (the alarm pipeline tells an inbound address from
/// a mailbox by it) and keeps a key from being all hex digits, which the storage would read as a number. Ids are opaque
/// to everything else: ids stored in another shape by earlier releases (inbound addresses: <c>inb-</c> + 12 hex
/// digits) stay valid. Tenant ids are chosen by people (<c>TenantValidator</c>); API key ids are part of the key's own
/// format (<c>aik_&lt;12 hex&gt;_…</c>) and are not made here.
/// </summary>
public static class EntityIds
{
    /// <summary>Prefix of mailbox ids.</summary>
    public const string Mailbox = "mbx";

    /// <summary>Prefix of webhook ids.</summary>
    public const string Webhook = "whk";

    /// <summary>Prefix of inbound address ids.</summary>
    public const string InboundAddress = "inb";

    /// <summary>Prefix of alarm ids.</summary>
    public const string Alarm = "alm";

    /// <summary>How many characters follow the prefix and the hyphen.</summary>
    public const int Length = 16;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A new random id, e.g. <c>New(EntityIds.Mailbox)</c> → <c>mbx-sblyjmrldyb37pqz</c>.</summary>
    /// <param name="prefix">One of the prefixes above.</param>
    public static string New(string prefix) => FromBytes(prefix, RandomNumberGenerator.GetBytes(Length));

    /// <summary>
    /// The id made of the first <see cref="Length"/> bytes of <paramref name="bytes"/> (a hash, or random bytes), one
    /// character per byte (the byte modulo 32, so random bytes give uniform characters).
    /// </summary>
    /// <param name="prefix">One of the prefixes above.</param>
    /// <param name="bytes">At least <see cref="Length"/> bytes.</param>
    public static string FromBytes(string prefix, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (bytes.Length < Length)
        {
            throw new ArgumentException($"An id needs {Length} bytes; got {bytes.Length}.", nameof(bytes));
        }

        Span<char> id = stackalloc char[prefix.Length + 1 + Length];
        prefix.CopyTo(id);
        id[prefix.Length] = '-';
        for (var i = 0; i < Length; i++)
        {
            id[prefix.Length + 1 + i] = Alphabet[bytes[i] % 32];
        }

        return new string(id);
    }

    /// <summary>Whether <paramref name="id"/> starts with <paramref name="prefix"/> and a hyphen (any later shape of the rest is accepted).</summary>
    public static bool HasPrefix(string? id, string prefix) =>
        id is not null && id.Length > prefix.Length + 1 && id.StartsWith(prefix, StringComparison.Ordinal) && id[prefix.Length] == '-';
}
