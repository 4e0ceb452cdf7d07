using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace AlarmInbox.Grains.Auth;

/// <summary>
/// Client credentials tokens through MSAL.NET. One <see cref="IConfidentialClientApplication"/> per app registration
/// (authority, client id and credential), built on first use and kept for the life of the process, so that its
/// in-memory token cache serves every mailbox of that app. Tokens are never persisted.
/// </summary>
/// <remarks>
/// Instance discovery is off (<c>WithInstanceDiscovery(false)</c>) in production too: it only validates the authority
/// host against Microsoft's list and resolves aliases, which a fixed, admin-configured host does not need; it saves a
/// request per app, and it lets tests route MSAL's HTTP to a local endpoint with the production authority unchanged.
/// Failures are paced here, once per app registration: a configuration error is reused for
/// <see cref="Office365Options.ConfigurationErrorPause"/>, a transient one blocks requests for its <c>Retry-After</c> or a
/// jittered, doubling pause; MSAL itself retries a 5xx once and keeps a process-wide throttle after a 429.
/// </remarks>
public sealed partial class MsalAccessTokenProvider(
    IOptions<Office365Options> options,
    TimeProvider time,
    ILogger<MsalAccessTokenProvider> logger,
    IMsalHttpClientFactory? httpClientFactory = null) : IAccessTokenProvider
{
    private readonly Office365Options _options = options.Value;
    private readonly ConcurrentDictionary<string, App> _apps = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<AccessToken> GetTokenAsync(Office365Settings app, bool forceRefresh, bool ignoreErrorPause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var entry = _apps.GetOrAdd(AppKey(app), _ => new App(() => Build(app)));
        var gateKey = app.Scope;
        var now = time.GetUtcNow();
        if (entry.Blocked(gateKey, now, ignoreErrorPause) is { } blocked)
        {
            LogPaused(logger, app.ClientId, blocked.Code, blocked.Until);
            throw new MailboxAccessException(blocked.Code, $"{blocked.Message} (No new token request before {blocked.Until:HH:mm:ss} UTC.)");
        }

        var started = time.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.TokenTimeout);
            var result = await entry.Client.Value
                .AcquireTokenForClient([app.Scope])
                .WithForceRefresh(forceRefresh)
                .ExecuteAsync(timeout.Token);
            entry.Succeeded(gateKey);
            var fromCache = result.AuthenticationResultMetadata?.TokenSource == TokenSource.Cache;
            LogToken(logger, app.ClientId, fromCache, forceRefresh, result.ExpiresOn, time.GetElapsedTime(started).TotalMilliseconds);
            return new AccessToken(result.AccessToken, result.ExpiresOn, fromCache);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is MsalException or OperationCanceledException or HttpRequestException or System.Text.Json.JsonException)
        {
            var failure = ex is MsalException msal
                ? TokenErrorClassifier.Classify(msal, app)
                : new TokenFailure(MailboxErrorCodes.Office365TokenServiceUnavailable, Unreachable(app, ex, time.GetElapsedTime(started)), true, null);
            var until = entry.Failed(gateKey, failure, time.GetUtcNow(), _options);
            LogTokenFailed(logger, app.ClientId, failure.Code, failure.IsTransient, until, ex.GetType().Name);
            throw new MailboxAccessException(failure.Code, failure.Message, ex);
        }
    }

    /// <summary>Says what happened, in the words that fit: no answer within the time limit, or a failure after so long.</summary>
    private string Unreachable(Office365Settings app, Exception ex, TimeSpan elapsed) => ex is OperationCanceledException
        ? $"The Entra ID token endpoint https://{app.AuthorityHost} did not answer the token request of app {app.ClientId} within {_options.TokenTimeout.TotalSeconds:0} s."
        : $"The Entra ID token endpoint https://{app.AuthorityHost} could not be used for app {app.ClientId} (failed after {elapsed.TotalSeconds:0.0} s): {ex.GetType().Name}: {ex.Message}";

    private IConfidentialClientApplication Build(Office365Settings app)
    {
        var builder = ConfidentialClientApplicationBuilder.Create(app.ClientId)
            .WithAuthority(app.Authority, validateAuthority: false)
            .WithInstanceDiscovery(false);
        builder = app.ClientSecret is { } secret
            ? builder.WithClientSecret(secret)
            : builder.WithCertificate(ClientCertificates.Load(app));
        if (httpClientFactory is not null)
        {
            builder = builder.WithHttpClientFactory(httpClientFactory);
        }

        return builder.Build();
    }

    /// <summary>The identity of an app registration: authority, client id and a hash of its credential (a new secret gets a new app and cache).</summary>
    private static string AppKey(Office365Settings app)
    {
        var credential = app.ClientSecret ?? app.CertificatePem ?? (app.CertificatePfxBase64 + "\n" + app.CertificatePassword);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credential)));
        return $"{app.Authority.ToLowerInvariant()}|{app.ClientId.ToLowerInvariant()}|{hash}";
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Debug, Message = "Token for app {ClientId}: from cache {FromCache}, forced {Forced}, expires {ExpiresOn:O}, {DurationMs:0.0} ms")]
    private static partial void LogToken(ILogger logger, string clientId, bool fromCache, bool forced, DateTimeOffset expiresOn, double durationMs);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Token request for app {ClientId} failed with {Code} (transient {Transient}); next request not before {Until:O} ({ExceptionType})")]
    private static partial void LogTokenFailed(ILogger logger, string clientId, string code, bool transient, DateTimeOffset until, string exceptionType);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Debug, Message = "Token request for app {ClientId} paused after {Code} until {Until:O}")]
    private static partial void LogPaused(ILogger logger, string clientId, string code, DateTimeOffset until);

    /// <summary>One app registration: its MSAL application and the pacing state of its failures.</summary>
    private sealed class App(Func<IConfidentialClientApplication> build)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);

        public Lazy<IConfidentialClientApplication> Client { get; } = new(build, LazyThreadSafetyMode.ExecutionAndPublication);

        public Gate? Blocked(string key, DateTimeOffset now, bool ignoreErrorPause)
        {
            lock (_lock)
            {
                return _gates.TryGetValue(key, out var gate) && gate.Until > now && (gate.Transient || !ignoreErrorPause) ? gate : null;
            }
        }

        public void Succeeded(string key)
        {
            lock (_lock)
            {
                _gates.Remove(key);
            }
        }

        public DateTimeOffset Failed(string key, TokenFailure failure, DateTimeOffset now, Office365Options options)
        {
            lock (_lock)
            {
                var failures = _gates.TryGetValue(key, out var previous) && previous.Transient ? previous.TransientFailures + 1 : 1;
                TimeSpan pause;
                if (failure.RetryAfter is { } retryAfter)
                {
                    pause = retryAfter;
                }
                else if (failure.IsTransient)
                {
                    pause = new ExponentialBackoff { Initial = options.TransientPauseMin, Cap = options.TransientPauseMax, JitterMin = 0.8, JitterMax = 1.2 }
                        .Delay(failures, Random.Shared.NextDouble());
                }
                else
                {
                    pause = options.ConfigurationErrorPause;
                }

                var gate = new Gate(failure.Code, failure.Message, now + pause, failure.IsTransient, failure.IsTransient ? failures : 0);
                _gates[key] = gate;
                return gate.Until;
            }
        }
    }

    private sealed record Gate(string Code, string Message, DateTimeOffset Until, bool Transient, int TransientFailures);
}
