using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Edges;

/// <summary>
/// Issue 14, Office 365 on the poll path: the token's claims are read before the login, as the connection test does, and
/// a fresh token is forced only when it can help. Exchange is the scripted server (it refuses every token, as Exchange
/// refuses a token without the role or for another resource); tokens come from the local token endpoint.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class Office365PollPathTests(EdgesFixture fixture)
{
    public static TheoryData<string, string, string> WrongTokens => new()
    {
        { "no-role", MailboxErrorCodes.Office365PermissionMissing, "IMAP.AccessAsApp" },
        { "graph", MailboxErrorCodes.Office365TokenWrongAudience, "https://graph.microsoft.com" },
        { "tenant", MailboxErrorCodes.Office365TokenWrongTenant, "tenant" },
    };

    [Theory]
    [MemberData(nameof(WrongTokens))]
    public async Task ATokenThatCannotWorkIsNamedOnThePollPathWithoutALoginOrAForcedRefresh(string kind, string code, string named)
    {
        await using var exchange = new FakeExchangeImap(FakeExchangeImap.Script.RejectToken);
        var user = "alarm-" + kind + "@ff-test.example";
        var app = fixture.Entra.Register(user, a =>
        {
            switch (kind)
            {
                case "no-role":
                    a.Roles = [];
                    break;
                case "graph":
                    a.Audience = "https://graph.microsoft.com";
                    break;
                default:
                    a.TokenTenantId = Guid.NewGuid().ToString("D");
                    break;
            }
        });

        var (mailbox, created) = await fixture.CreateAsync(fixture.Office365Settings(user, app, useIdle: false, host: "127.0.0.1", port: exchange.Port));
        var polls = new List<PollResult>();
        for (var i = 0; i < 3; i++)
        {
            polls.Add((await mailbox.PollNowAsync())!);
        }

        Assert.Equal(code, created.Status.LastError!.Code);
        Assert.Contains(named, created.Status.LastError.Message + " " + created.Status.LastError.Hint);
        Assert.All(polls, p => Assert.Equal(code, p.Error!.Code));
        Assert.Equal(0, exchange.Authentications);
        Assert.Equal(1, fixture.Entra.Requests(app.ClientId));
    }

    [Fact]
    public async Task SavingTheSettingsAfterAConsentFixGetsOneFreshTokenAndTheMailboxWorks()
    {
        var user = await fixture.Imap.CreateUserAsync();
        var app = fixture.Entra.Register(user, a => a.Roles = []);
        var (mailbox, created) = await fixture.CreateAsync(fixture.Office365Settings(user, app, useIdle: false));
        Assert.Equal(MailboxErrorCodes.Office365PermissionMissing, created.Status.LastError!.Code);

        // The admin grants consent in Entra ID, then saves the mailbox again: the cached token (without the role) is
        // replaced once.
        app.Roles = ["IMAP.AccessAsApp"];
        Assert.True((await mailbox.UpdateAsync(created.Config.TenantId, fixture.Office365Settings(user, app, useIdle: false))).Succeeded);
        var recovered = await Eventually.WaitForAsync(() => mailbox.GetAsync(), d => d!.Status.LastSuccessAt is not null, TimeSpan.FromSeconds(60), "a successful poll after the fix");

        Assert.Null(recovered!.Status.LastError);
        Assert.Equal(2, fixture.Entra.Requests(app.ClientId));
    }

    [Fact]
    public async Task ARefusedTokenIsRefreshedOnlyOnceAcrossAttempts()
    {
        await using var exchange = new FakeExchangeImap(FakeExchangeImap.Script.RejectToken);
        var user = "alarm-refused@ff-test.example";
        var app = fixture.Entra.Register(user);
        var (mailbox, created) = await fixture.CreateAsync(fixture.Office365Settings(user, app, useIdle: false, host: "127.0.0.1", port: exchange.Port));

        for (var i = 0; i < 3; i++)
        {
            await mailbox.PollNowAsync();
        }

        // Creation: a new token, refused (not forced: it was just issued). Next attempts: the cached token is the one
        // already refused, so asking again cannot help.
        Assert.Equal(MailboxErrorCodes.Office365ServicePrincipalMissing, created.Status.LastError!.Code);
        Assert.Equal(1, fixture.Entra.Requests(app.ClientId));
        Assert.Equal(4, exchange.Authentications);
    }
}
