using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;

namespace AlarmInbox.Tests.Mailboxes;

/// <summary>Which settings changes point a mailbox at another source, and what that does to its watermark (<see cref="MailboxGrainState.IsSameSource"/>, <see cref="MailboxGrainState.ChangeSource"/>).</summary>
public sealed class MailboxSourceChangeTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 23, 0, 0, TimeSpan.Zero);

    private static MailboxGrainState Stored() => new()
    {
        Exists = true,
        CreatedAt = Created,
        BaselineSince = Created,
        Settings = new MailboxSettings { Host = "imap.example.org", Port = 993, Username = "alarm@example.org", Folder = "INBOX", PollIntervalSeconds = 60 },
        Watermark = new UidWatermark(4711, 120),
        PendingBackfill = 5,
    };

    [Fact]
    public void ThePasswordIntervalAndHostCaseKeepTheSource()
    {
        var state = Stored();

        Assert.True(state.IsSameSource(state.Settings with { Host = "IMAP.Example.ORG", PollIntervalSeconds = 30, Password = "new" }));
    }

    [Theory]
    [InlineData("imap2.example.org", 993, "alarm@example.org", "INBOX")]
    [InlineData("imap.example.org", 143, "alarm@example.org", "INBOX")]
    [InlineData("imap.example.org", 993, "Alarm@example.org", "INBOX")]
    [InlineData("imap.example.org", 993, "alarm@example.org", "INBOX/Alarme")]
    public void AnotherHostPortUserOrFolderIsAnotherSource(string host, int port, string user, string folder)
    {
        var state = Stored();

        Assert.False(state.IsSameSource(state.Settings with { Host = host, Port = port, Username = user, Folder = folder }));
    }

    [Fact]
    public void AnotherSourceAfterASyncDropsTheWatermarkAndTheBackfillAndCountsMailsFromNowAsNew()
    {
        var state = Stored();

        state.ChangeSource(Now);

        Assert.Equal(UidWatermark.None, state.Watermark);
        Assert.Equal(0, state.PendingBackfill);
        Assert.Equal(Now, state.BaselineSince);
    }

    [Fact]
    public void AnotherSourceBeforeTheOldOneWasEverReachedKeepsTheCreationBaseline()
    {
        var state = Stored();
        state.Watermark = UidWatermark.None;

        state.ChangeSource(Now);

        Assert.Equal(Created, state.BaselineSince);
        Assert.Equal(0, state.PendingBackfill);
    }
}
