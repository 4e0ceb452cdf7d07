using System.Globalization;
using Microsoft.Extensions.Localization;

namespace AlarmInbox.Api.Console;

/// <summary>
/// How the console shows when an Office 365 or Graph mailbox's client secret (or certificate) expires: the date, and a
/// warning from <see cref="WarningDays"/> days ahead (the same threshold as the alerting rule in <c>docs/alerts.yml</c>).
/// </summary>
/// <param name="Kind"><c>ok</c>, <c>near</c> (expires within <see cref="WarningDays"/> days) or <c>expired</c>.</param>
/// <param name="Words">The date and, when near or past, how many days are left, in the user's language.</param>
public sealed record CredentialExpiry(string Kind, string Words)
{
    /// <summary>Days ahead of the expiry from which the console warns.</summary>
    public const int WarningDays = 14;

    /// <summary>Whether the page should warn.</summary>
    public bool Warn => Kind != "ok";

    /// <summary>The expiry of <paramref name="expiresAt"/> seen at <paramref name="now"/>, or null when it is not known.</summary>
    public static CredentialExpiry? Of(DateTimeOffset? expiresAt, DateTimeOffset now, IStringLocalizer text)
    {
        if (expiresAt is not { } expires)
        {
            return null;
        }

        var date = expires.UtcDateTime.ToString("d", CultureInfo.CurrentCulture);
        var days = (int)Math.Floor((expires - now).TotalDays);
        if (expires <= now)
        {
            return new("expired", string.Format(CultureInfo.CurrentCulture, text["Expiry.Expired"], date));
        }

        return days < WarningDays
            ? new("near", string.Format(CultureInfo.CurrentCulture, text["Expiry.Near"], date, days))
            : new("ok", date);
    }
}
