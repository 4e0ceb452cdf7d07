using AlarmInbox.Api.Mailboxes;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Localization;

namespace AlarmInbox.Api.Console;

/// <summary>A mailbox's health in words and colour: healthy (green), failing with the error's hint (red), paused (grey), waiting for the first contact (amber).</summary>
/// <param name="Kind"><c>healthy</c>, <c>failing</c>, <c>paused</c> or <c>waiting</c> (also the CSS class suffix).</param>
/// <param name="Words">The state in the user's language.</param>
/// <param name="Hint">What to check (the error's hint in the user's language), or null.</param>
public sealed record MailboxHealth(string Kind, string Words, string? Hint)
{
    /// <summary>The health of <paramref name="status"/>.</summary>
    public static MailboxHealth Of(MailboxStatusResponse status, IStringLocalizer text)
    {
        if (status.State == MailboxState.Paused)
        {
            return new("paused", text["Health.Paused"], null);
        }

        if (status.LastError is { } error && (status.State == MailboxState.Failing || !status.Healthy))
        {
            return new("failing", string.Format(System.Globalization.CultureInfo.CurrentCulture, text["Health.Failing"], error.Code), HintFor(error, text));
        }

        return status.Healthy
            ? new("healthy", text["Health.Healthy"], null)
            : new("waiting", text["Health.Waiting"], null);
    }

    /// <summary>The hint of an error code in the user's language (the API's English hint when the code is new).</summary>
    public static string? HintFor(ErrorResponse error, IStringLocalizer text) => HintFor(error.Code, error.Hint, text);

    /// <summary>The hint of <paramref name="code"/> in the user's language, else <paramref name="fallback"/>.</summary>
    public static string? HintFor(string? code, string? fallback, IStringLocalizer text) =>
        code is not null && text["Hint." + code] is { ResourceNotFound: false } hint ? hint.Value : fallback;
}
