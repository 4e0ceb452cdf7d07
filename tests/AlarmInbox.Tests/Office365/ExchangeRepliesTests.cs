using AlarmInbox.Grains.Auth;
using AlarmInbox.Grains.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Tests.Office365;

/// <summary>Exchange Online's refusals, which Dovecot cannot produce, from a scripted IMAP server; tokens from the local token endpoint.</summary>
public sealed class ExchangeRepliesTests : IDisposable
{
    private const string Mailbox = "alarm@ff-test.example";
    private readonly FakeEntra _entra = new();
    private readonly MsalAccessTokenProvider _tokens;
    private readonly Office365SessionOpener _opener;
    private readonly ConnectionTester _tester;

    public ExchangeRepliesTests()
    {
        _tokens = new(Options.Create(new Office365Options()), TimeProvider.System, NullLogger<MsalAccessTokenProvider>.Instance, _entra.HttpClientFactory);
        var imapOptions = Options.Create(new ImapOptions());
        var connector = new MailKitImapConnector(imapOptions, NullLogger<MailKitImapConnector>.Instance, new ImapLoginLimiter(imapOptions));
        _opener = new(connector, _tokens, NullLogger<Office365SessionOpener>.Instance);
        _tester = new(_tokens, Options.Create(new ImapOptions()), NullLogger<ConnectionTester>.Instance);
    }

    [Fact]
    public async Task RefusedCachedTokenIsRefreshedOnceThenReportedAsServicePrincipalMissing()
    {
        await using var exchange = new FakeExchangeImap(FakeExchangeImap.Script.RejectToken);
        var app = _entra.Register(Mailbox);
        await _tokens.GetTokenAsync(TokenProviderTests.Settings(app), false, false, CancellationToken.None);

        var error = await Assert.ThrowsAsync<MailboxAccessException>(() => _opener.OpenAsync(Request(exchange), TokenProviderTests.Settings(app), recentlyConfigured: false, CancellationToken.None));

        Assert.Equal(MailboxErrorCodes.Office365ServicePrincipalMissing, error.Code);
        Assert.Contains("the server refused AUTHENTICATE XOAUTH2", error.Message);
        Assert.Equal(2, exchange.Authentications);
        Assert.Equal(2, _entra.Requests(app.ClientId));
    }

    [Fact]
    public async Task FreshTokenRefusedRightAfterSetupIsExchangeNotReadyWithoutASecondAttempt()
    {
        await using var exchange = new FakeExchangeImap(FakeExchangeImap.Script.RejectToken);
        var app = _entra.Register(Mailbox);

        var error = await Assert.ThrowsAsync<MailboxAccessException>(() => _opener.OpenAsync(Request(exchange), TokenProviderTests.Settings(app), recentlyConfigured: true, CancellationToken.None));

        Assert.Equal(MailboxErrorCodes.Office365ExchangeNotReady, error.Code);
        Assert.Contains(MailboxErrorCodes.Office365ServicePrincipalMissing, error.Message);
        Assert.Equal(1, exchange.Authentications);
        Assert.Equal(1, _entra.Requests(app.ClientId));
    }

    [Fact]
    public async Task AuthenticatedButNotConnectedIsMailboxAccessMissing()
    {
        await using var exchange = new FakeExchangeImap(FakeExchangeImap.Script.NotConnected);
        var app = _entra.Register(Mailbox);

        var error = await Assert.ThrowsAsync<MailboxAccessException>(() => _opener.OpenAsync(Request(exchange), TokenProviderTests.Settings(app), recentlyConfigured: false, CancellationToken.None));

        Assert.Equal(MailboxErrorCodes.Office365MailboxAccessMissing, error.Code);
        Assert.Contains("User is authenticated but not connected.", error.Message);
    }

    [Fact]
    public async Task SessionInvalidatedAtTokenExpiryIsSessionExpired()
    {
        await using var exchange = new FakeExchangeImap(FakeExchangeImap.Script.SessionExpired);
        var app = _entra.Register(Mailbox);

        await using var session = await _opener.OpenAsync(Request(exchange), TokenProviderTests.Settings(app), recentlyConfigured: false, CancellationToken.None);
        var error = await Assert.ThrowsAsync<MailboxAccessException>(() => session.SearchUidsAfterAsync(0, CancellationToken.None));

        Assert.Equal(14u, session.UidValidity);
        Assert.Equal(MailboxErrorCodes.Office365SessionExpired, error.Code);
        Assert.Contains("AccessTokenExpired", error.Message);
    }

    [Fact]
    public async Task ConnectionTestStopsAtAuthenticateWithCodeServerReplyAndHint()
    {
        await using var exchange = new FakeExchangeImap(FakeExchangeImap.Script.NotConnected);
        var app = _entra.Register(Mailbox);

        var result = await _tester.RunAsync(Settings(exchange, app), requireCredential: true, recentlyConfigured: false, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(ConnectionTestSteps.All, result.Steps.Select(s => s.Name));
        Assert.Equal(
            [ConnectionTestOutcome.Passed, ConnectionTestOutcome.Passed, ConnectionTestOutcome.Skipped, ConnectionTestOutcome.Passed, ConnectionTestOutcome.Passed,
             ConnectionTestOutcome.Failed, ConnectionTestOutcome.Skipped, ConnectionTestOutcome.Skipped],
            result.Steps.Select(s => s.Outcome));
        var failed = result.Steps.Single(s => s.Outcome == ConnectionTestOutcome.Failed);
        Assert.Equal(MailboxErrorCodes.Office365MailboxAccessMissing, failed.Code);
        Assert.Contains("User is authenticated but not connected.", failed.Message);
        Assert.Contains("Add-MailboxPermission", failed.Hint);
    }

    [Fact]
    public async Task ConnectionTestReportsATokenWithoutTheImapRoleAsPermissionMissing()
    {
        await using var exchange = new FakeExchangeImap(FakeExchangeImap.Script.RejectToken);
        var app = _entra.Register(Mailbox, a => a.Roles = []);

        var result = await _tester.RunAsync(Settings(exchange, app), requireCredential: true, recentlyConfigured: false, CancellationToken.None);

        var failed = result.Steps.Single(s => s.Outcome == ConnectionTestOutcome.Failed);
        Assert.Equal(ConnectionTestSteps.TokenSanity, failed.Name);
        Assert.Equal(MailboxErrorCodes.Office365PermissionMissing, failed.Code);
        Assert.Contains("IMAP.AccessAsApp", failed.Hint);
        Assert.Equal(0, exchange.Authentications);
    }

    [Fact]
    public async Task ConnectionTestReportsAGraphTokenAsWrongAudience()
    {
        await using var exchange = new FakeExchangeImap(FakeExchangeImap.Script.RejectToken);
        var app = _entra.Register(Mailbox, a => a.Audience = "https://graph.microsoft.com");

        var result = await _tester.RunAsync(Settings(exchange, app), requireCredential: true, recentlyConfigured: false, CancellationToken.None);

        var failed = result.Steps.Single(s => s.Outcome == ConnectionTestOutcome.Failed);
        Assert.Equal(ConnectionTestSteps.TokenSanity, failed.Name);
        Assert.Equal(MailboxErrorCodes.Office365TokenWrongAudience, failed.Code);
        Assert.Contains("https://graph.microsoft.com", failed.Message);
    }

    /// <inheritdoc />
    public void Dispose() => _entra.Dispose();

    private static ImapConnectRequest Request(FakeExchangeImap exchange) => new("127.0.0.1", exchange.Port, MailboxSecurity.None, Mailbox, "", "INBOX");

    private static MailboxSettings Settings(FakeExchangeImap exchange, FakeEntra.App app) => new()
    {
        DisplayName = "Exchange",
        Host = "127.0.0.1",
        Port = exchange.Port,
        Security = MailboxSecurity.None,
        Username = Mailbox,
        AuthType = MailboxAuthType.Office365,
        Office365 = TokenProviderTests.Settings(app),
    };
}
