using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Imap;
using MailKit.Security;

namespace AlarmInbox.Tests.Edges;

/// <summary>
/// Issue 14, connection limits: the test Dovecot on 127.0.0.2 lets each user hold one session (it refuses more with
/// <c>NO [LIMIT] Maximum number of connections from user+IP exceeded</c>); the scripted Exchange refuses with its cap.
/// Such a refusal is <c>connection_limit</c>, retried within a minute, and never costs a token request.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class ConnectionLimitTests(EdgesFixture fixture)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ASessionHeldByAnotherProgramIsAConnectionLimitWithAShortRetryAndNoTokenRequest(bool office365)
    {
        var user = await fixture.Imap.CreateUserAsync();
        using var other = new ImapClient();
        await other.ConnectAsync(EdgesFixture.LimitedHost, fixture.Imap.ImapPort, SecureSocketOptions.None);
        await other.AuthenticateAsync(user, "geheim");
        var app = fixture.Entra.Register(user);
        var settings = office365
            ? fixture.Office365Settings(user, app, useIdle: false, host: EdgesFixture.LimitedHost)
            : fixture.PasswordSettings(user, useIdle: false, host: EdgesFixture.LimitedHost);

        var (mailbox, created) = await fixture.CreateAsync(settings);
        var again = await mailbox.PollNowAsync();
        var status = (await mailbox.GetAsync())!.Status;

        var error = created.Status.LastError!;
        Assert.Equal(MailboxErrorCodes.ConnectionLimit, error.Code);
        Assert.Contains("Maximum number of connections", error.Message);
        Assert.Contains("Exchange allows a limited number per mailbox", error.Hint);
        Assert.Equal(MailboxErrorCodes.ConnectionLimit, again!.Error!.Code);
        Assert.True(status.NextAttemptAt <= DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1), $"next attempt {status.NextAttemptAt:O}");
        Assert.Equal(office365 ? 1 : 0, fixture.Entra.Requests(app.ClientId));

        // The other program lets go: the next attempt works.
        await other.DisconnectAsync(true);
        var poll = await Eventually.WaitForAsync(() => mailbox.PollNowAsync(), p => p!.Succeeded, TimeSpan.FromSeconds(60), "a poll once the other session is gone");
        Assert.Equal(office365 ? 1 : 0, fixture.Entra.Requests(app.ClientId));
        Assert.Null(poll!.Error);
    }

    [Fact]
    public async Task ExchangesPerMailboxCapIsAConnectionLimitWithoutAForcedToken()
    {
        await using var exchange = new FakeExchangeImap(FakeExchangeImap.Script.ConnectionLimit);
        var user = "alarm-cap@ff-test.example";
        var app = fixture.Entra.Register(user);

        var (mailbox, created) = await fixture.CreateAsync(fixture.Office365Settings(user, app, useIdle: true, host: "127.0.0.1", port: exchange.Port));
        await mailbox.PollNowAsync();
        await mailbox.PollNowAsync();

        Assert.Equal(MailboxErrorCodes.ConnectionLimit, created.Status.LastError!.Code);
        Assert.Contains("Too many concurrent connections", created.Status.LastError.Message);
        Assert.Equal(1, fixture.Entra.Requests(app.ClientId));
        Assert.True(exchange.Authentications >= 3);
    }
}
