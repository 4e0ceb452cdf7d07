using System.Text.RegularExpressions;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Alarms;

/// <summary>Matches a mail's sender, or the original sender of a forwarded mail, against the allowed senders.</summary>
public static partial class SenderFilter
{
    private const int HeaderBlockLines = 60;

    /// <summary>
    /// Finds the original sender of a forwarded mail: the address of the first <c>Von:</c>/<c>From:</c> line after a
    /// forward marker (<c>-----Ursprüngliche Nachricht-----</c>, <c>-----Original Message-----</c>,
    /// <c>---------- Forwarded message ---------</c>, …), or, when the subject starts with <c>WG:</c>/<c>FW:</c>/<c>Fwd:</c>,
    /// in the first lines of the text.
    /// </summary>
    /// <returns>The address, lower-case, or <see langword="null"/> when the mail is not recognisably forwarded.</returns>
    public static string? FindOriginalSender(MailMessage message, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(message);
        var forwardedBySubject = ForwardPrefix().IsMatch(message.Subject);
        var markerSeen = false;
        var lines = message.Text.Split('\n', HeaderBlockLines + 1);
        foreach (var line in lines.Take(HeaderBlockLines))
        {
            if (ForwardMarker().IsMatch(line))
            {
                markerSeen = true;
                continue;
            }

            if ((markerSeen || forwardedBySubject) && FromLine().Match(line) is { Success: true } from)
            {
                return ExtractAddress(from.Groups[1].Value, timeout);
            }
        }

        return null;
    }

    /// <summary>Returns the first entry of <paramref name="allowed"/> that <paramref name="address"/> matches (address exactly, or its domain), or <see langword="null"/>.</summary>
    public static string? Match(string? address, IReadOnlyList<string> allowed)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }

        var normalised = address.Trim().ToLowerInvariant();
        var at = normalised.LastIndexOf('@');
        var domain = at >= 0 ? normalised[(at + 1)..] : "";
        foreach (var entry in allowed)
        {
            var e = entry.Trim().ToLowerInvariant();
            var matches = e.StartsWith('@') ? domain == e[1..]
                : e.Contains('@') ? normalised == e
                : domain == e;
            if (matches)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Strips forwarding and reply prefixes (<c>WG:</c>, <c>FW:</c>, <c>Fwd:</c>, <c>AW:</c>, <c>RE:</c>) from a subject.</summary>
    public static string StripPrefixes(string subject)
    {
        var result = subject.Trim();
        while (ReplyOrForwardPrefix().Match(result) is { Success: true } prefix)
        {
            result = result[prefix.Length..].TrimStart();
        }

        return result;
    }

    private static string? ExtractAddress(string value, TimeSpan timeout)
    {
        var match = Regex.Match(value, @"<([^<>\s]+@[^<>\s]+)>|([^<>\s""'()\[\]]+@[^<>\s""'()\[\],;]+)", RegexOptions.CultureInvariant, timeout);
        if (!match.Success)
        {
            return null;
        }

        return (match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value).Trim().TrimEnd('.').ToLowerInvariant();
    }

    [GeneratedRegex(@"^\s*(?:WG|FW|FWD|Fwd)\s*:", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 100)]
    private static partial Regex ForwardPrefix();

    [GeneratedRegex(@"^\s*(?:WG|FW|FWD|AW|RE|Antw|Wtr)\s*:", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 100)]
    private static partial Regex ReplyOrForwardPrefix();

    [GeneratedRegex(@"^\s*-{2,}\s*(?:Ursprüngliche Nachricht|Original Message|Weitergeleitete Nachricht|Forwarded message|Originalnachricht)\s*-{2,}\s*$|^\s*(?:Begin forwarded message|Anfang der weitergeleiteten Nachricht)\s*:\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 100)]
    private static partial Regex ForwardMarker();

    [GeneratedRegex(@"^\s*(?:Von|From)\s*:\s*(.+)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 100)]
    private static partial Regex FromLine();
}
