using System.Security.Cryptography;
using System.Text;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Keys that recognise the same mail on every path of a tenant (every mailbox and inbound address, IMAP and SMTP): its
/// Message-ID, or without one a hash of the normalised sender, subject and text — never the path, the UID or the server's
/// receive time. A mail evaluated on its attached original (forwarded as an attachment) also carries the original's key.
/// </summary>
public static class RecognitionKeys
{
    /// <summary>The keys of <paramref name="message"/> as evaluated (<paramref name="evaluation"/> names the attached level used).</summary>
    public static IReadOnlyList<string> For(MailMessage message, AlarmEvaluation evaluation)
    {
        var keys = new List<string>(2) { Key(message.MessageId, message.From, message.Subject, message.Text) };
        var attached = message.AttachedMessage;
        for (var level = 1; level < evaluation.AttachedLevel && attached is not null; level++)
        {
            attached = attached.AttachedMessage;
        }

        if (evaluation.AttachedLevel > 0 && attached is not null)
        {
            keys.Add(Key(attached.MessageId, attached.From, attached.Subject, attached.Text));
        }

        return keys;
    }

    /// <summary>
    /// The content key of <paramref name="message"/> whether it has a Message-ID or not: <c>txt:</c> + 32 hex characters of
    /// a SHA-256 of the normalised sender, subject and text.
    /// </summary>
    public static string TextKey(MailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Key(null, message.From, message.Subject, message.Text);
    }

    private static string Key(string? messageId, string? from, string subject, string text)
    {
        if (!string.IsNullOrWhiteSpace(messageId))
        {
            return "mid:" + messageId.Trim();
        }

        var material = string.Join('\n', (from ?? "").Trim().ToLowerInvariant(), Collapse(subject), Collapse(text));
        return "txt:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..32];
    }

    /// <summary>Whitespace runs become one space: a relay that re-wraps lines or trims trailing spaces does not change the key.</summary>
    private static string Collapse(string value)
    {
        var result = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                space = result.Length > 0;
                continue;
            }

            if (space)
            {
                result.Append(' ');
                space = false;
            }

            result.Append(c);
        }

        return result.ToString();
    }
}
