using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Grains.Auth;

/// <summary>
/// Opens IMAP sessions of Office 365 mailboxes: a token from <see cref="IAccessTokenProvider"/>, its claims checked as the
/// connection test does (<see cref="TokenClaims"/>: audience, <c>IMAP.AccessAsApp</c> role, tenant), then SASL XOAUTH2
/// through <see cref="IImapConnector"/>; refusals are explained with <see cref="Office365ImapErrors"/>.
/// </summary>
/// <remarks>
/// A fresh token is forced only when it can help: when the token in hand came from the cache and has not been judged
/// yet (found wrong or refused). Such a token may predate a change (admin consent granted since, a revoked token); a
/// token already judged, or one just issued, would only come back the same. A refusal that is not about the token
/// (too many sessions, a dropped connection) never costs a token request. Saving the mailbox's settings
/// (<see cref="Forget"/>) makes the cached token worth one more fresh request.
/// </remarks>
public sealed partial class Office365SessionOpener(IImapConnector connector, IAccessTokenProvider tokens, ILogger<Office365SessionOpener> logger)
{
    // Per app registration (authority, tenant, client id, scope): a hash of the last token found wrong or refused.
    private readonly ConcurrentDictionary<string, string> _judged = new(StringComparer.Ordinal);

    /// <summary>Gets a token, checks its claims, logs in and selects the folder.</summary>
    /// <param name="request">Where to connect; its password is ignored.</param>
    /// <param name="app">The app registration with its credential.</param>
    /// <param name="recentlyConfigured">Whether the settings were saved within <see cref="Office365Options.ExchangePropagationTime"/>.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <exception cref="MailboxAccessException">
    /// The token request or an IMAP step failed, or the token cannot work (<c>o365_token_wrong_audience</c>,
    /// <c>o365_permission_missing</c>, <c>o365_token_wrong_tenant</c>: no login is tried with it).
    /// </exception>
    public async Task<IImapSession> OpenAsync(ImapConnectRequest request, Office365Settings app, bool recentlyConfigured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(app);
        var token = await tokens.GetTokenAsync(app, forceRefresh: false, ignoreErrorPause: false, cancellationToken);
        if (WrongClaims(token, app) is { } wrong)
        {
            if (!WorthRefreshing(token, app))
            {
                Judge(token, app);
                throw wrong;
            }

            LogCachedTokenWrong(logger, app.ClientId, wrong.Code);
            token = await RefreshAsync(app, cancellationToken);
            if (WrongClaims(token, app) is { } still)
            {
                Judge(token, app);
                throw still;
            }
        }

        try
        {
            return Wrap(await connector.OpenAsync(request with { Password = "", AccessToken = token.Token }, cancellationToken), app, request.Username);
        }
        catch (MailboxAccessException ex) when (Office365ImapErrors.IsLoginRejected(ex) && WorthRefreshing(token, app))
        {
            // Exchange may revoke a token before its expiry, and a server's clock may differ: one fresh token, not more.
            LogCachedTokenRejected(logger, app.ClientId, request.Host);
        }
        catch (MailboxAccessException ex)
        {
            if (Office365ImapErrors.IsLoginRejected(ex))
            {
                Judge(token, app);
            }

            throw Office365ImapErrors.Classify(ex, app, request.Username, recentlyConfigured);
        }

        token = await RefreshAsync(app, cancellationToken);
        try
        {
            if (WrongClaims(token, app) is { } fresh)
            {
                throw fresh;
            }

            return Wrap(await connector.OpenAsync(request with { Password = "", AccessToken = token.Token }, cancellationToken), app, request.Username);
        }
        catch (MailboxAccessException ex)
        {
            if (ex.Code != MailboxErrorCodes.ConnectionLimit)
            {
                Judge(token, app);
            }

            throw Office365ImapErrors.Classify(ex, app, request.Username, recentlyConfigured);
        }
    }

    /// <summary>Forgets which cached token of <paramref name="app"/> was judged, so that the next attempt may ask for a fresh one once (the settings were saved: the admin may have fixed something).</summary>
    public void Forget(Office365Settings app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _judged.TryRemove(AppKey(app), out _);
    }

    /// <summary>The problem with the token's claims, as <see cref="TokenClaims.Check"/> names it; <see langword="null"/> when it looks right or is not a JWT (the server then decides).</summary>
    private static MailboxAccessException? WrongClaims(AccessToken token, Office365Settings app) =>
        TokenClaims.TryRead(token.Token)?.Check(app) is { } problem
            ? new MailboxAccessException(problem.Code, problem.Message + " AlarmInbox did not log in with this token.")
            : null;

    private bool WorthRefreshing(AccessToken token, Office365Settings app) =>
        token.FromCache && !(_judged.TryGetValue(AppKey(app), out var judged) && judged == Hash(token));

    private void Judge(AccessToken token, Office365Settings app) => _judged[AppKey(app)] = Hash(token);

    private async Task<AccessToken> RefreshAsync(Office365Settings app, CancellationToken cancellationToken) =>
        await tokens.GetTokenAsync(app, forceRefresh: true, ignoreErrorPause: false, cancellationToken);

    private static string AppKey(Office365Settings app) =>
        $"{app.AuthorityHost.ToLowerInvariant()}|{app.Tenant.ToLowerInvariant()}|{app.ClientId.ToLowerInvariant()}|{app.Scope}";

    private static string Hash(AccessToken token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token.Token)));

    private static Session Wrap(IImapSession inner, Office365Settings app, string username) => new(inner, app, username);

    [LoggerMessage(EventId = 1220, Level = LogLevel.Information, Message = "A cached token of app {ClientId} was refused by {Host}; trying once with a fresh token")]
    private static partial void LogCachedTokenRejected(ILogger logger, string clientId, string host);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "A cached token of app {ClientId} cannot work ({Code}); asking once for a fresh token")]
    private static partial void LogCachedTokenWrong(ILogger logger, string clientId, string code);

    /// <summary>Reports Exchange's end of a session at token expiry as <c>o365_session_expired</c>.</summary>
    private sealed class Session(IImapSession inner, Office365Settings app, string username) : IImapSession
    {
        public uint UidValidity => inner.UidValidity;

        public uint? UidNext => inner.UidNext;

        public int Count => inner.Count;

        public bool SupportsIdle => inner.SupportsIdle;

        public Task<IReadOnlyList<uint>> SearchUidsAfterAsync(uint afterUid, CancellationToken cancellationToken) =>
            Reclassify(() => inner.SearchUidsAfterAsync(afterUid, cancellationToken));

        public Task<IReadOnlyList<MailSummary>> FetchSummariesAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken) =>
            Reclassify(() => inner.FetchSummariesAsync(uids, cancellationToken));

        public Task<IReadOnlyList<FetchedMail>> FetchAsync(IReadOnlyList<MailSummary> mails, int maxBytes, CancellationToken cancellationToken) =>
            Reclassify(() => inner.FetchAsync(mails, maxBytes, cancellationToken));

        public Task<IReadOnlyList<MailEnvelope>> FetchEnvelopesAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken) =>
            Reclassify(() => inner.FetchEnvelopesAsync(uids, cancellationToken));

        public Task<bool> IdleAsync(TimeSpan maxDuration, CancellationToken wake, CancellationToken cancellationToken) =>
            Reclassify(() => inner.IdleAsync(maxDuration, wake, cancellationToken));

        public Task NoOpAsync(CancellationToken cancellationToken) =>
            Reclassify(async () =>
            {
                await inner.NoOpAsync(cancellationToken);
                return true;
            });

        private async Task<T> Reclassify<T>(Func<Task<T>> command)
        {
            try
            {
                return await command();
            }
            catch (MailboxAccessException ex)
            {
                throw Office365ImapErrors.Classify(ex, app, username, recentlyConfigured: false);
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
