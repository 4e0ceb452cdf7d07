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
    /// subject and size. Stays the same when the folder's UIDVALIDITY changes.
    /// </summary>
    public static string ContentKey(MailMessage message)
    {
        if (!string.IsNullOrEmpty(message.MessageId))
        {
            return "mid:" + message.MessageId;
        }

        var material = string.Join(
            '\n',
            message.Date?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) ?? "",
            message.From ?? "",
            message.Subject,
            message.Size.ToString(CultureInfo.InvariantCulture));
        return "sha:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..32];
    }
}
