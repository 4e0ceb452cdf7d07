using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;

namespace AlarmInbox.Tests.Mailboxes;

/// <summary>When a mailbox in IDLE reconnects at once after its session ended and when it backs off (<see cref="IdleReconnectPolicy"/>).</summary>
public sealed class IdleReconnectPolicyTests
{
    [Theory]
    [InlineData(null)]
    [InlineData(MailboxErrorCodes.Disconnected)]
    [InlineData(MailboxErrorCodes.ConnectionLost)]
    [InlineData(MailboxErrorCodes.Office365SessionExpired)]
    public void AnEndedSessionThatHadRoundsReconnectsAtOnce(string? code)
    {
        var policy = new IdleReconnectPolicy();

        Assert.True(policy.ReconnectAtOnce(new IdleSessionEnd { Code = code, Rounds = 3 }));
    }

    [Theory]
    [InlineData(MailboxErrorCodes.AuthFailed)]
    [InlineData(MailboxErrorCodes.Throttled)]
    [InlineData(MailboxErrorCodes.Timeout)]
    [InlineData(MailboxErrorCodes.ProtocolError)]
    public void AFailedSessionIsBackedOff(string code)
    {
        var policy = new IdleReconnectPolicy();

        Assert.False(policy.ReconnectAtOnce(new IdleSessionEnd { Code = code, Rounds = 5 }));
    }

    [Fact]
    public void AReconnectedSessionThatDropsBeforeItsFirstRoundIsBackedOffAndTheNextDropReconnectsAgain()
    {
        var policy = new IdleReconnectPolicy();
        var drop = new IdleSessionEnd { Code = MailboxErrorCodes.Disconnected, Rounds = 0 };

        Assert.True(policy.ReconnectAtOnce(drop));
        Assert.False(policy.ReconnectAtOnce(drop));
        Assert.True(policy.ReconnectAtOnce(drop));
    }

    [Fact]
    public void ARoundOnTheReconnectedSessionMakesTheNextDropReconnectAtOnce()
    {
        var policy = new IdleReconnectPolicy();
        var drop = new IdleSessionEnd { Code = MailboxErrorCodes.ConnectionLost, Rounds = 0 };

        Assert.True(policy.ReconnectAtOnce(drop));
        policy.RoundSeen();

        Assert.True(policy.ReconnectAtOnce(drop));
    }

    [Fact]
    public void ASessionAtItsLifetimeReconnectsEvenRightAfterAReconnectAndIsNoFailedReconnect()
    {
        var policy = new IdleReconnectPolicy();
        var drop = new IdleSessionEnd { Code = MailboxErrorCodes.Disconnected };

        Assert.True(policy.ReconnectAtOnce(drop));
        Assert.True(policy.ReconnectAtOnce(new IdleSessionEnd { Code = null, Rounds = 0 }));

        // The renewal is not a reconnect after a drop: the next drop reconnects at once again.
        Assert.True(policy.ReconnectAtOnce(drop));
    }
}
