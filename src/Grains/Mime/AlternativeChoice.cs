using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mime;

/// <summary>
/// Chooses the body of a mail that has both a plain-text and an HTML part (usually the two alternatives of a
/// <c>multipart/alternative</c>): the part that carries the alarm. Dispatch software and mail gateways often send a stub
/// as the plain part ("Diese Nachricht enthält HTML", "This is an HTML message", a blank line) and the alarm only as HTML.
/// </summary>
/// <remarks>
/// The HTML part wins when its text rendering writes more built-in labels (<see cref="KnownLabels.CountWritten"/>) than the
/// plain part, or — when neither writes one — when the plain part's visible text is less than a quarter of the HTML's, or
/// is a short notice that names HTML. Otherwise, in particular when both carry the same labels, the plain part wins.
/// </remarks>
internal static class AlternativeChoice
{
    /// <summary>The characters of each part looked at (the text kept of a mail is shorter).</summary>
    internal const int ScannedChars = 4 * MailMessage.MaxTextLength;

    /// <summary>A plain part at most this long (visible characters) that names HTML is a notice, not content.</summary>
    private const int NoticeLength = 300;

    /// <summary>Whether the HTML part's rendering <paramref name="renderedHtml"/> carries the alarm rather than <paramref name="plain"/>.</summary>
    public static bool PreferHtml(string plain, string renderedHtml)
    {
        if (string.IsNullOrWhiteSpace(renderedHtml))
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(plain))
        {
            return true;
        }

        var plainLabels = KnownLabels.CountWritten(plain, ScannedChars);
        var htmlLabels = KnownLabels.CountWritten(renderedHtml, ScannedChars);
        if (plainLabels != htmlLabels)
        {
            return htmlLabels > plainLabels;
        }

        if (plainLabels > 0)
        {
            return false;
        }

        var plainLength = VisibleLength(plain);
        return plainLength * 4 < VisibleLength(renderedHtml)
            || (plainLength <= NoticeLength && plain.AsSpan(0, Math.Min(plain.Length, 4 * NoticeLength)).Contains("HTML", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The characters that are not whitespace, of the first <see cref="ScannedChars"/>.</summary>
    private static int VisibleLength(string text)
    {
        var count = 0;
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, ScannedChars)))
        {
            if (!char.IsWhiteSpace(c))
            {
                count++;
            }
        }

        return count;
    }
}
