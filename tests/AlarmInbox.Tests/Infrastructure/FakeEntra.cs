using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Identity.Client;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A local stand-in for the Entra ID v2.0 token endpoint (<c>POST /{tenant}/oauth2/v2.0/token</c>, client credentials
/// grant) on loopback HTTP. It issues HS256 JWTs that the test Dovecot validates, answers unknown apps, tenants and wrong
/// secrets with Entra's error bodies (<c>error</c>, <c>error_description</c>, <c>error_codes</c>, <c>timestamp</c>,
/// <c>trace_id</c>, <c>correlation_id</c>, <c>error_uri</c>), can be told to fail in other ways, and counts requests per client id.
/// MSAL keeps its production authority (<c>https://login.microsoftonline.com/…</c>); <see cref="HttpClientFactory"/> routes it here.
/// </summary>
public sealed class FakeEntra : IDisposable
{
    /// <summary>The issuer the test Dovecot expects (<c>scripts/dev-imap.sh</c>).</summary>
    public const string Issuer = "https://sts.windows.net/alarminbox-test/";

    // One key for every instance in the test process: fixtures that run in parallel share the one Dovecot of test.sh,
    // which validates tokens with one key; a key per instance made them overwrite each other's.
    private static readonly byte[] SharedKey = RandomNumberGenerator.GetBytes(32);

    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, App> _apps = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _tenants = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _routedAuthorities = new(StringComparer.OrdinalIgnoreCase);
    private readonly Task _loop;

    /// <summary>Starts the endpoint on a free loopback port.</summary>
    public FakeEntra()
    {
        Key = SharedKey;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
        HttpClientFactory = new RoutingFactory(Port, _routedAuthorities);
    }

    /// <summary>The HS256 signing key (raw bytes), the same for every instance in this test process.</summary>
    public byte[] Key { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>An MSAL HTTP client factory that sends <c>login.microsoftonline.com</c> requests here.</summary>
    public IMsalHttpClientFactory HttpClientFactory { get; }

    /// <summary>Registers an app: a fresh client id in a fresh tenant, with a secret, issuing tokens for <paramref name="mailbox"/>.</summary>
    public App Register(string mailbox, Action<App>? configure = null)
    {
        var app = new App(Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D"), "s3cr~" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), mailbox);
        configure?.Invoke(app);
        _apps[app.ClientId] = app;
        _tenants[app.TenantId] = 0;
        return app;
    }

    /// <summary>Routes requests for another authority host (<c>host</c> or <c>host:port</c>, as in <c>office365.authorityHost</c>) here too, as for a national cloud.</summary>
    public void Route(string authorityHost) => _routedAuthorities[authorityHost] = 0;

    /// <summary>How many token requests arrived for <paramref name="clientId"/>.</summary>
    public int Requests(string clientId) => _requests.GetValueOrDefault(clientId);

    /// <inheritdoc />
    public void Dispose()
    {
        _listener.Close();
        _ = _loop;
    }

    /// <summary>Makes a token for <paramref name="app"/> as this endpoint would issue it.</summary>
    public string IssueToken(App app)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["aud"] = app.Audience,
            ["iss"] = Issuer,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)app.JwtLifetime.TotalSeconds,
            ["sub"] = app.ClientId,
            ["tid"] = app.TokenTenantId ?? app.TenantId,
            ["appid"] = app.ClientId,
            ["email"] = app.Mailbox,
            ["roles"] = new JsonArray(app.Roles.Select(r => (JsonNode)r).ToArray()),
        };
        static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var unsigned = B64(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")) + "." + B64(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        return unsigned + "." + B64(HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes(unsigned)));
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var segments = context.Request.Url!.AbsolutePath.Trim('/').Split('/');
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var form = (await reader.ReadToEndAsync()).Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : "", StringComparer.Ordinal);
            var clientId = form.GetValueOrDefault("client_id") ?? "";
            _requests.AddOrUpdate(clientId, 1, (_, n) => n + 1);

            var (status, body, retryAfter) = Answer(segments, form, clientId);
            response.StatusCode = status;
            response.ContentType = "application/json; charset=utf-8";
            if (retryAfter is { } seconds)
            {
                response.Headers["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture);
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            await response.OutputStream.WriteAsync(bytes);
        }
        finally
        {
            response.Close();
        }
    }

    private (int Status, string Body, int? RetryAfter) Answer(string[] segments, Dictionary<string, string> form, string clientId)
    {
        if (segments.Length != 4 || segments[1] != "oauth2" || segments[2] != "v2.0" || segments[3] != "token" || form.GetValueOrDefault("grant_type") != "client_credentials")
        {
            return Error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
        }

        var tenant = segments[0];
        if (!_tenants.ContainsKey(tenant))
        {
            return Error(400, "invalid_request", 90002, $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.");
        }

        if (!_apps.TryGetValue(clientId, out var app) || !string.Equals(app.TenantId, tenant, StringComparison.OrdinalIgnoreCase))
        {
            return Error(400, "unauthorized_client", 700016, $"Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");
        }

        if (app.Failure is { } failure)
        {
            return failure;
        }

        if (form.GetValueOrDefault("client_secret") is { } given && app.ExpiredSecrets.Contains(given))
        {
            return Error(401, "invalid_client", 7000222, $"The provided client secret keys for app '{clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.");
        }

        if (form.GetValueOrDefault("client_secret") != app.Secret)
        {
            return Error(401, "invalid_client", 7000215, $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.");
        }

        var body = new JsonObject { ["token_type"] = "Bearer", ["expires_in"] = (long)app.ExpiresIn.TotalSeconds, ["ext_expires_in"] = (long)app.ExpiresIn.TotalSeconds, ["access_token"] = IssueToken(app) };
        return (200, body.ToJsonString(), null);
    }

    /// <summary>An error answer in Entra ID's shape.</summary>
    public static (int Status, string Body, int? RetryAfter) Error(int status, string error, int aadsts, string text, int? retryAfter = null)
    {
        var trace = Guid.NewGuid().ToString("D");
        var correlation = Guid.NewGuid().ToString("D");
        var timestamp = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var body = new JsonObject
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{aadsts}: {text} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {timestamp}",
            ["error_codes"] = new JsonArray(aadsts),
            ["timestamp"] = timestamp,
            ["trace_id"] = trace,
            ["correlation_id"] = correlation,
            ["error_uri"] = $"https://login.microsoftonline.com/error?code={aadsts}",
        };
        return (status, body.ToJsonString(), retryAfter);
    }

    /// <summary>An app registration of the fake tenant.</summary>
    public sealed class App(string clientId, string tenantId, string secret, string mailbox)
    {
        /// <summary>Application (client) ID.</summary>
        public string ClientId { get; } = clientId;

        /// <summary>Directory (tenant) ID.</summary>
        public string TenantId { get; } = tenantId;

        /// <summary>The client secret's value.</summary>
        public string Secret { get; } = secret;

        /// <summary>The mailbox its tokens are for (<c>email</c> claim, which the test Dovecot matches with the SASL user).</summary>
        public string Mailbox { get; } = mailbox;

        /// <summary>The <c>aud</c> claim.</summary>
        public string Audience { get; set; } = "https://outlook.office365.com";

        /// <summary>The <c>roles</c> claim.</summary>
        public IReadOnlyList<string> Roles { get; set; } = ["IMAP.AccessAsApp"];

        /// <summary>The <c>expires_in</c> of the answer (what MSAL believes).</summary>
        public TimeSpan ExpiresIn { get; set; } = TimeSpan.FromSeconds(3599);

        /// <summary>The lifetime in the JWT's <c>exp</c> (what the IMAP server enforces).</summary>
        public TimeSpan JwtLifetime { get; set; } = TimeSpan.FromSeconds(3599);

        /// <summary>The <c>tid</c> claim when it should differ from <see cref="TenantId"/> (a token from another tenant).</summary>
        public string? TokenTenantId { get; set; }

        /// <summary>Former secrets of this app that have expired: Entra answers them with AADSTS7000222.</summary>
        public List<string> ExpiredSecrets { get; } = [];

        /// <summary>When set, every request of this app gets this answer.</summary>
        public (int Status, string Body, int? RetryAfter)? Failure { get; set; }
    }

    /// <summary>Sends MSAL's requests for <c>login.microsoftonline.com</c> (and the hosts given to <see cref="Route"/>) to the local endpoint; everything else is refused at once.</summary>
    private sealed class RoutingFactory(int port, ConcurrentDictionary<string, byte> routed) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = new(new RoutingHandler(port, routed) { InnerHandler = new SocketsHttpHandler() });

        public HttpClient GetHttpClient() => _client;
    }

    private sealed class RoutingHandler(int port, ConcurrentDictionary<string, byte> routed) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is not { } uri || (uri.Host != "login.microsoftonline.com" && !routed.ContainsKey(uri.Authority)))
            {
                throw new HttpRequestException($"The test routes only login.microsoftonline.com and {string.Join(", ", routed.Keys)}, not {request.RequestUri}.");
            }

            request.RequestUri = new UriBuilder(uri) { Scheme = "http", Host = "127.0.0.1", Port = port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
