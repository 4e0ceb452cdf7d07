using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Auth;

/// <summary>
/// Gets app-only access tokens for Exchange Online by the OAuth 2.0 client credentials grant (RFC 6749 section 4.4).
/// One implementation instance serves the whole process, so that each app registration's token cache is reused.
/// The MSAL implementation is <see cref="MsalAccessTokenProvider"/>.
/// </summary>
public interface IAccessTokenProvider
{
    /// <summary>Returns a token for <paramref name="app"/>, from the cache when one is valid for at least 5 more minutes.</summary>
    /// <param name="app">The app registration with its credential in clear text (in memory only).</param>
    /// <param name="forceRefresh">Ask Entra ID for a new token even if a cached one looks valid (after the IMAP server rejected it).</param>
    /// <param name="ignoreErrorPause">Ask Entra ID even if the last request of this app failed with a configuration error a moment ago (a connection test started by an admin). Throttling (Retry-After) is always honoured.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token.</returns>
    /// <exception cref="MailboxAccessException">The token request failed; <see cref="MailboxAccessException.Code"/> is one of the <c>o365_…</c> codes of <see cref="MailboxErrorCodes"/>.</exception>
    Task<AccessToken> GetTokenAsync(Office365Settings app, bool forceRefresh, bool ignoreErrorPause, CancellationToken cancellationToken);
}
