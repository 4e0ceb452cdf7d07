using System.Diagnostics;
using AlarmInbox.Grains.Auth;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Office365;

/// <summary>The real MSAL token provider against the local token endpoint: caching, and Entra's errors classified and paced.</summary>
public sealed class TokenProviderTests(ITestOutputHelper output) : IDisposable
{
    private readonly FakeEntra _entra = new();

    [Fact]
    public async Task FirstCallAsksEntraLaterCallsAreServedFromTheCache()
    {
        var app = _entra.Register("alarm@ff-test.example");
        var provider = Provider();

        var watch = Stopwatch.StartNew();
        var first = await provider.GetTokenAsync(Settings(app), forceRefresh: false, ignoreErrorPause: false, CancellationToken.None);
        var firstMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var second = await provider.GetTokenAsync(Settings(app), forceRefresh: false, ignoreErrorPause: false, CancellationToken.None);
        var cachedMs = watch.Elapsed.TotalMilliseconds;
        var forced = await provider.GetTokenAsync(Settings(app), forceRefresh: true, ignoreErrorPause: false, CancellationToken.None);
        output.WriteLine($"Token acquisition: first {firstMs:0.0} ms (includes MSAL start-up), from cache {cachedMs:0.00} ms");

        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(first.Token, second.Token);
        Assert.False(forced.FromCache);
        Assert.Equal(2, _entra.Requests(app.ClientId));
        Assert.DoesNotContain(first.Token, first.ToString());
    }

    [Fact]
    public async Task WrongSecretIsClientSecretInvalidWithAadstsAndIsNotAskedAgainAtOnce()
    {
        var app = _entra.Register("alarm@ff-test.example");
        var provider = Provider();

        var first = await FailAsync(provider, Settings(app) with { ClientSecret = "wrong~secret" });
        var second = await FailAsync(provider, Settings(app) with { ClientSecret = "wrong~secret" });
        var third = await FailAsync(provider, Settings(app) with { ClientSecret = "wrong~secret" });

        Assert.Equal(MailboxErrorCodes.Office365ClientSecretInvalid, first.Code);
        Assert.Contains("AADSTS7000215", first.Message);
        Assert.Contains("client secret value, not the client secret ID", first.Message);
        Assert.DoesNotContain("wrong~secret", first.Message);
        Assert.Equal(MailboxErrorCodes.Office365ClientSecretInvalid, third.Code);
        Assert.Contains("No new token request before", second.Message);
        Assert.Equal(1, _entra.Requests(app.ClientId));
    }

    public static TheoryData<string, int, string, int, string> EntraErrors => new()
    {
        { "invalid_client", 401, "The provided client secret keys for app are expired. Visit the Azure portal to create new keys for your app.", 7000222, MailboxErrorCodes.Office365ClientSecretExpired },
        { "invalid_scope", 400, "The provided value for scope https://outlook.office365.com/IMAP.AccessAsApp is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", 1002012, MailboxErrorCodes.Office365ScopeInvalid },
        { "invalid_scope", 400, "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid.", 70011, MailboxErrorCodes.Office365ScopeInvalid },
        { "invalid_client", 400, "The client application is missing service principal in the tenant.", 7000229, MailboxErrorCodes.Office365ConsentMissing },
        { "invalid_request", 400, "Some request the classifier does not know.", 9002313, MailboxErrorCodes.Office365TokenFailed },
    };

    [Theory]
    [MemberData(nameof(EntraErrors))]
    public async Task EntraErrorBodiesGetTheirOwnCode(string error, int status, string text, int aadsts, string expectedCode)
    {
        var app = _entra.Register("alarm@ff-test.example", a => a.Failure = FakeEntra.Error(status, error, aadsts, text));

        var failure = await FailAsync(Provider(), Settings(app));

        Assert.Equal(expectedCode, failure.Code);
        Assert.Contains($"AADSTS{aadsts}", failure.Message);
        Assert.NotNull(MailboxErrorHints.For(failure.Code));
        Assert.Equal(1, _entra.Requests(app.ClientId));
    }

    [Fact]
    public async Task UnknownApplicationIsAppNotFound()
    {
        var app = _entra.Register("alarm@ff-test.example");
        var unknown = Settings(app) with { ClientId = Guid.NewGuid().ToString("D") };

        var failure = await FailAsync(Provider(), unknown);

        Assert.Equal(MailboxErrorCodes.Office365AppNotFound, failure.Code);
        Assert.Contains("AADSTS700016", failure.Message);
        Assert.Equal(1, _entra.Requests(unknown.ClientId));
    }

    [Fact]
    public async Task UnknownTenantIsTenantNotFound()
    {
        var app = _entra.Register("alarm@ff-test.example");

        var failure = await FailAsync(Provider(), Settings(app) with { Tenant = Guid.NewGuid().ToString("D") });

        Assert.Equal(MailboxErrorCodes.Office365TenantNotFound, failure.Code);
        Assert.Contains("AADSTS90002", failure.Message);
    }

    [Fact]
    public async Task ThrottlingHonoursRetryAfterWithoutFurtherRequests()
    {
        var app = _entra.Register("alarm@ff-test.example", a => a.Failure = FakeEntra.Error(429, "temporarily_unavailable", 50196, "The server is busy.", retryAfter: 120));
        var provider = Provider();

        var first = await FailAsync(provider, Settings(app));
        var second = await FailAsync(provider, Settings(app), ignoreErrorPause: true);

        Assert.Equal(MailboxErrorCodes.Office365TokenThrottled, first.Code);
        Assert.Contains("120 s (Retry-After)", first.Message);
        Assert.Equal(MailboxErrorCodes.Office365TokenThrottled, second.Code);
        Assert.Equal(1, _entra.Requests(app.ClientId));
    }

    [Fact]
    public async Task ServerErrorIsTransientAndPausedAfterMsalsSingleRetry()
    {
        var app = _entra.Register("alarm@ff-test.example", a => a.Failure = FakeEntra.Error(500, "server_error", 90033, "A transient error has occurred. Please try again."));
        var provider = Provider();

        var first = await FailAsync(provider, Settings(app));
        var requestsAfterFirst = _entra.Requests(app.ClientId);
        var second = await FailAsync(provider, Settings(app));

        Assert.Equal(MailboxErrorCodes.Office365TokenServiceUnavailable, first.Code);
        Assert.Equal(MailboxErrorCodes.Office365TokenServiceUnavailable, second.Code);
        Assert.InRange(requestsAfterFirst, 1, 2);
        Assert.Equal(requestsAfterFirst, _entra.Requests(app.ClientId));
    }

    /// <inheritdoc />
    public void Dispose() => _entra.Dispose();

    private static async Task<MailboxAccessException> FailAsync(IAccessTokenProvider provider, Office365Settings settings, bool ignoreErrorPause = false) =>
        await Assert.ThrowsAsync<MailboxAccessException>(() => provider.GetTokenAsync(settings, forceRefresh: false, ignoreErrorPause, CancellationToken.None));

    private MsalAccessTokenProvider Provider() =>
        new(Options.Create(new Office365Options()), TimeProvider.System, NullLogger<MsalAccessTokenProvider>.Instance, _entra.HttpClientFactory);

    internal static Office365Settings Settings(FakeEntra.App app) => new() { Tenant = app.TenantId, ClientId = app.ClientId, ClientSecret = app.Secret };
}
