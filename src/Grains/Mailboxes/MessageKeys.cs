using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>Keys that identify a stored message.</summary>
public static class MessageKeys
{
    /// <summary>
    /// The content key: <c>mid:</c> + Message-ID, or for mails without one <c>sha:</c> + a SHA-256 of date, sender,
    /// and size. Stays the same when the folder's UIDVALIDITY changes.
    /// </summary>
    public static string ContentKey(MailMessage message) => ContentKey(message.MessageId, message.Date, message.From, message.Size);

    /// <summary>The content key from the parts IMAP's ENVELOPE also gives (so a key can be computed without fetching the body).</summary>
    /// <param name="messageId">Message-ID without angle brackets, or <see langword="null"/>.</param>
    /// <param name="date">The Date header.</param>
    /// <param name="from">The first From address.</param>
    /// <param name="size">RFC822.SIZE in bytes.</param>
    public static string ContentKey(string? messageId, DateTimeOffset? date, string? from, long size)
    {
        if (!string.IsNullOrEmpty(messageId))
        {
            return "mid:" + messageId;
        }

        // The subject is left out on purpose: raw 8-bit subjects may decode differently in ENVELOPE and in the body parser.
        var material = string.Join(
            '\n',
            date?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) ?? "",
            from?.ToLowerInvariant() ?? "",
            size.ToString(CultureInfo.InvariantCulture));
        return "sha:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..32];
    }
}
