using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using AlarmInbox.Tests.Mime;

namespace AlarmInbox.Tests.Ingestion;

/// <summary>
/// The IMAP size limit (<c>AlarmInbox:Imap:MaxMessageBytes</c>, here <see cref="SmallImapLimitFixture.Limit"/> bytes)
/// against the real Dovecot: a larger mail is read only up to the limit, flagged <c>size</c> with its real size, and
/// alarmed on what that part holds; smaller mails of the same poll are read whole.
/// </summary>
public sealed class ImapSizeLimitTests(SmallImapLimitFixture fixture) : IClassFixture<SmallImapLimitFixture>
{
    [Fact]
    public async Task MailsAboveTheLimitAreReadUpToItAndAlarmedOnTheirFirstTextWhileASmallerOneIsReadWholeInTheSamePoll()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        var uids = await fixture.Imap.AppendAsync(user,
        [
            MailBombs.Huge(150 * 1024, textFirst: true, "gross@ils-musterland.example", "2026-999005", "B3 Gross"),
            MailBombs.Huge(30 * 1024, textFirst: true, "klein@ils-musterland.example", "2026-999006", "B2 Klein"),
            MailBombs.Huge(150 * 1024, textFirst: false, "hinten@ils-musterland.example", "2026-999007", "B5 Anhang zuerst"),
        ]);
        var sizes = new List<long>();
        foreach (var uid in uids)
        {
            sizes.Add(await fixture.Imap.SizeAsync(user, uid));
        }

        var poll = await mailbox.PollNowAsync();

        Assert.True(poll!.Succeeded, poll.Error?.Message);
        Assert.Equal(3, poll.NewMessages);
        Assert.Equal(uids[2], poll.Watermark.LastUid);
        Assert.Equal([true, false, true], sizes.Select(s => s > SmallImapLimitFixture.Limit));
        var messages = (await mailbox.GetMessagesAsync(10))!.ToDictionary(m => m.MessageId!);
        var large = messages["gross@ils-musterland.example"];
        var small = messages["klein@ils-musterland.example"];
        var textLast = messages["hinten@ils-musterland.example"];
        Assert.Equal(sizes, [large.Size, small.Size, textLast.Size]);
        Assert.Equal([MailLimits.Size], large.Limits);
        Assert.Empty(small.Limits);
        Assert.Equal([MailLimits.Size], textLast.Limits);
        Assert.Contains("Einsatznummer: 2026-999005", large.Text, StringComparison.Ordinal);
        Assert.Contains("Einsatznummer: 2026-999006", small.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("2026-999007", textLast.Text, StringComparison.Ordinal);

        // The text after the attachment is beyond the limit: that alarm has the headers only, its keyword from the subject.
        var alarms = await fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { Limit = 10 });
        Assert.Equal(3, alarms.Count);
        Assert.Equal(("2026-999005", "B3 Gross"), alarms.Where(a => a.Source.MessageId == "gross@ils-musterland.example").Select(a => (a.IncidentNumber, a.Keyword)).Single());
        Assert.Equal(("2026-999006", "B2 Klein"), alarms.Where(a => a.Source.MessageId == "klein@ils-musterland.example").Select(a => (a.IncidentNumber, a.Keyword)).Single());
        Assert.Equal(((string?)null, "B5 Anhang zuerst"), alarms.Where(a => a.Source.MessageId == "hinten@ils-musterland.example").Select(a => (a.IncidentNumber, a.Keyword)).Single());
        Assert.All(alarms, a => Assert.Equal(AlarmStatus.New, a.Status));
    }
}
