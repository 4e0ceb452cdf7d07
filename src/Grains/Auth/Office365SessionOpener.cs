using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Grains.Auth;

/// <summary>
/// Opens IMAP sessions of Office 365 mailboxes: a token from <see cref="IAccessTokenProvider"/>, then SASL XOAUTH2 through
/// <see cref="IImapConnector"/>. A cached token that the server refuses is replaced once by a fresh one (force refresh)
/// before an error is reported; refusals are explained with <see cref="Office365ImapErrors"/>.
/// </summary>
public sealed partial class Office365SessionOpener(IImapConnector connector, IAccessTokenProvider tokens, ILogger<Office365SessionOpener> logger)
{
    /// <summary>Gets a token, logs in and selects the folder.</summary>
    /// <param name="request">Where to connect; its password is ignored.</param>
    /// <param name="app">The app registration with its credential.</param>
    /// <param name="recentlyConfigured">Whether the settings were saved within <see cref="Office365Options.ExchangePropagationTime"/>.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <exception cref="MailboxAccessException">The token request or an IMAP step failed.</exception>
    public async Task<IImapSession> OpenAsync(ImapConnectRequest request, Office365Settings app, bool recentlyConfigured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(app);
        var token = await tokens.GetTokenAsync(app, forceRefresh: false, ignoreErrorPause: false, cancellationToken);
        try
        {
            return Wrap(await connector.OpenAsync(request with { Password = "", AccessToken = token.Token }, cancellationToken), app, request.Username);
        }
        catch (MailboxAccessException ex) when (token.FromCache && Office365ImapErrors.IsLoginRejected(ex))
        {
            // Exchange may revoke a token before its expiry, and a server's clock may differ: one fresh token, not more.
            LogCachedTokenRejected(logger, app.ClientId, request.Host);
        }
        catch (MailboxAccessException ex)
        {
            throw Office365ImapErrors.Classify(ex, app, request.Username, recentlyConfigured);
        }

        token = await tokens.GetTokenAsync(app, forceRefresh: true, ignoreErrorPause: false, cancellationToken);
        try
        {
            return Wrap(await connector.OpenAsync(request with { Password = "", AccessToken = token.Token }, cancellationToken), app, request.Username);
        }
        catch (MailboxAccessException ex)
        {
            throw Office365ImapErrors.Classify(ex, app, request.Username, recentlyConfigured);
        }
    }

    private static Session Wrap(IImapSession inner, Office365Settings app, string username) => new(inner, app, username);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "A cached token of app {ClientId} was refused by {Host}; trying once with a fresh token")]
    private static partial void LogCachedTokenRejected(ILogger logger, string clientId, string host);

    /// <summary>Reports Exchange's end of a session at token expiry as <c>o365_session_expired</c>.</summary>
    private sealed class Session(IImapSession inner, Office365Settings app, string username) : IImapSession
    {
        public uint UidValidity => inner.UidValidity;

        public uint? UidNext => inner.UidNext;

        public int Count => inner.Count;

        public bool SupportsIdle => inner.SupportsIdle;

        public Task<IReadOnlyList<uint>> SearchUidsAfterAsync(uint afterUid, CancellationToken cancellationToken) =>
            Reclassify(() => inner.SearchUidsAfterAsync(afterUid, cancellationToken));

        public Task<IReadOnlyList<FetchedMail>> FetchAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken) =>
            Reclassify(() => inner.FetchAsync(uids, cancellationToken));

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
