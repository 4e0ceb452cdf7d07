using AlarmInbox.Grains.Auth;
using AlarmInbox.Grains.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Tests.Edges;

/// <summary>Issue 14, the connection test at its edges, against the real Dovecot and the local token endpoint.</summary>
[Collection(EdgesCollection.Name)]
public sealed class ConnectionTestEdgeTests(EdgesFixture fixture)
{
    private ConnectionTester Tester => new(
        new MsalAccessTokenProvider(Options.Create(new Office365Options()), TimeProvider.System, NullLogger<MsalAccessTokenProvider>.Instance, fixture.Entra.HttpClientFactory),
        Options.Create(new ImapOptions()),
        NullLogger<ConnectionTester>.Instance);

    [Fact]
    public async Task StartTlsOnTheImapsPortFailsAtTheTlsStepNamingSslOnConnect()
    {
        var user = await fixture.Imap.CreateUserAsync();

        var result = await RunAsync(fixture.PasswordSettings(user, useIdle: false, port: fixture.Imap.ImapsPort) with { Security = MailboxSecurity.StartTls });

        var tls = Step(result, ConnectionTestSteps.Tls);
        Assert.Equal(ConnectionTestOutcome.Failed, tls.Outcome);
        Assert.Equal(MailboxErrorCodes.SecurityMismatch, tls.Code);
        Assert.Contains("security SslOnConnect, \"SSL/TLS\", not StartTls", tls.Message);
        Assert.Contains("993 is SslOnConnect", tls.Hint);
    }

    [Fact]
    public async Task NoneOnTheImapsPortFailsAtTheTlsStepNamingSslOnConnect()
    {
        var user = await fixture.Imap.CreateUserAsync();

        var result = await RunAsync(fixture.PasswordSettings(user, useIdle: false, port: fixture.Imap.ImapsPort));

        var tls = Step(result, ConnectionTestSteps.Tls);
        Assert.Equal(MailboxErrorCodes.SecurityMismatch, tls.Code);
        Assert.Contains("security SslOnConnect, \"SSL/TLS\", not None", tls.Message);
        Assert.Equal(ConnectionTestOutcome.Skipped, Step(result, ConnectionTestSteps.Authenticate).Outcome);
    }

    [Fact]
    public async Task SslOnConnectOnThePlainPortFailsAtTheTlsStepNamingStartTls()
    {
        var user = await fixture.Imap.CreateUserAsync();

        var result = await RunAsync(fixture.PasswordSettings(user, useIdle: false) with { Security = MailboxSecurity.SslOnConnect });

        var tls = Step(result, ConnectionTestSteps.Tls);
        Assert.Equal(MailboxErrorCodes.SecurityMismatch, tls.Code);
        Assert.Contains("security must be StartTls", tls.Message);
    }

    [Fact]
    public async Task TheTokenStepsRunWhenTheImapHostCannotBeReached()
    {
        var user = "alarm-unreachable@ff-test.example";
        var app = fixture.Entra.Register(user);

        var result = await RunAsync(fixture.Office365Settings(user, app, useIdle: false, port: FreePort.Next()));

        Assert.Equal(
            ["validate:Passed", "tcp:Failed", "tls:Skipped", "token:Passed", "token_sanity:Passed", "authenticate:Skipped", "select:Skipped", "search:Skipped"],
            result.Steps.Select(s => $"{s.Name}:{s.Outcome}"));
        Assert.Equal(MailboxErrorCodes.ConnectFailed, Step(result, ConnectionTestSteps.Tcp).Code);
        Assert.Equal(1, fixture.Entra.Requests(app.ClientId));
    }

    [Fact]
    public async Task AnAuthorityHostWithAPortIsAcceptedAndUsed()
    {
        var user = await fixture.Imap.CreateUserAsync();
        var app = fixture.Entra.Register(user);
        fixture.Entra.Route("login.sovereign.test:8443");
        var settings = fixture.Office365Settings(user, app, useIdle: false);
        settings = settings with { Office365 = settings.Office365! with { AuthorityHost = "login.sovereign.test:8443" } };

        var result = await RunAsync(settings);

        Assert.True(result.Succeeded, string.Join("; ", result.Steps.Select(s => $"{s.Name} {s.Outcome} {s.Code} {s.Message}")));
        Assert.Contains("login.sovereign.test:8443", Step(result, ConnectionTestSteps.Token).Message);
        Assert.Equal(1, fixture.Entra.Requests(app.ClientId));
    }

    [Fact]
    public async Task AnUnreachableAuthorityHostIsNamedInTheHintAndTheMessageSaysWhatHappened()
    {
        var user = "alarm-authority@ff-test.example";
        var app = fixture.Entra.Register(user);
        var settings = fixture.Office365Settings(user, app, useIdle: false);
        settings = settings with { Office365 = settings.Office365! with { AuthorityHost = "login.unreachable.test:8443" } };

        var result = await RunAsync(settings);

        var token = Step(result, ConnectionTestSteps.Token);
        Assert.Equal(MailboxErrorCodes.Office365TokenServiceUnavailable, token.Code);
        Assert.Contains("https://login.unreachable.test:8443", token.Message);
        Assert.DoesNotContain("within", token.Message);
        Assert.Contains("https://login.unreachable.test:8443", token.Hint);
        Assert.DoesNotContain("login.microsoftonline.com", token.Hint);
    }

    private async Task<ConnectionTestResult> RunAsync(MailboxSettings settings)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        return await Tester.RunAsync(settings, requireCredential: true, recentlyConfigured: false, timeout.Token);
    }

    private static ConnectionTestStep Step(ConnectionTestResult result, string name) => result.Steps.Single(s => s.Name == name);
}
