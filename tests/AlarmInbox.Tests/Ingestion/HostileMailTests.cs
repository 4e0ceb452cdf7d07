using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using AlarmInbox.Tests.Mime;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace AlarmInbox.Tests.Ingestion;

/// <summary>
/// Issue 16, findings 1, 4 and 13 through the real paths: bomb mails generated here go through Dovecot and the SMTP
/// listener, are stored flagged with what was extracted, and do not hold up the alarm mail behind them.
/// </summary>
public sealed class HostileMailTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TableBombIsStoredFlaggedAndTheAlarmMailBehindItIsAlarmedInTheSamePoll()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        await AppendRawAsync(user, MailBombs.NestedTablesMail(50_000, "bombe@bomb.example"));
        await fixture.Imap.AppendCorpusAsync(user, "31-same-mail-imap-and-smtp.eml");

        var poll = await mailbox.PollNowAsync();
        var messages = await mailbox.GetMessagesAsync(10);
        var alarms = await fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { Limit = 10 });

        Assert.True(poll!.Succeeded, poll.Error?.Message);
        Assert.Equal(2, poll.NewMessages);
        var bomb = Assert.Single(messages!, m => m.MessageId == "bombe@bomb.example");
        // On a loaded machine the time budget may run out as well (then html_nesting is still the first limit hit).
        Assert.Equal(MailLimits.HtmlNesting, bomb.Limits[0]);
        Assert.Contains("Einsatznummer 2026-999001", bomb.Text, StringComparison.Ordinal);
        var alarm = Assert.Single(alarms, a => a.IncidentNumber == "2026-213031");
        Assert.Equal(AlarmStatus.New, alarm.Status);
    }

    [Fact]
    public async Task MailNestedAThousandMimeLevelsIsStoredTruncatedWithTheTextFoundSoFarAndAlarmedOnIt()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (addressId, address) = await fixture.CreateAddressAsync(tenantId);
        using var raw = new MemoryStream(MailBombs.NestedMultiparts(1_000, "tief@ils-musterland.example"));
        var mail = await MimeMessage.LoadAsync(raw);

        using (var client = new SmtpClient { LocalDomain = "sender.test" })
        {
            await client.ConnectAsync("127.0.0.1", fixture.SmtpPort, SecureSocketOptions.None);
            await client.SendAsync(mail, MailboxAddress.Parse(IngestionFixture.Leitstelle), [MailboxAddress.Parse(address)]);
            await client.DisconnectAsync(quit: true);
        }

        await fixture.InboundMessagesAsync(addressId, 1);
        var api = await fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}/messages");
        var alarm = Assert.Single(await fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery()));

        var message = Assert.Single(api.Body!.AsArray());
        Assert.True((bool)message!["truncated"]!);
        Assert.Equal(["mime_depth"], message["limits"]!.AsArray().Select(l => (string)l!));
        Assert.Contains("Einsatznummer: 2026-999002", (string)message["text"]!, StringComparison.Ordinal);
        Assert.Equal("2026-999002", alarm.IncidentNumber);
        Assert.Equal("B1 Oben", alarm.Keyword);
    }

    [Fact]
    public async Task FiveMegabyteSubjectAndFiftyThousandAttachmentsAreStoredCutAndTheApiAnswersStayBounded()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, mailboxId) = await fixture.CreateMailboxAsync(tenantId);
        await AppendRawAsync(user, MailBombs.Oversized(5 * 1024 * 1024, 50_000, "gross@ils-musterland.example"));

        var poll = await mailbox.PollNowAsync();
        var messages = await fixture.Api.SendAsync(HttpMethod.Get, $"/api/tenants/{tenantId}/mailboxes/{mailboxId}/messages?limit=50");
        var alarms = await fixture.Api.SendAsync(HttpMethod.Get, $"/api/tenants/{tenantId}/alarms?limit=50");

        Assert.True(poll!.Succeeded, poll.Error?.Message);
        var message = Assert.Single(messages.Body!.AsArray());
        Assert.Equal(MailLimits.MaxSubjectLength, ((string)message!["subject"]!).Length);
        Assert.Equal(MailLimits.MaxAttachments, message["attachments"]!.AsArray().Count);
        Assert.Equal(["attachments", "subject"], message["limits"]!.AsArray().Select(l => (string)l!).Order(StringComparer.Ordinal));
        var alarm = Assert.Single(alarms.Body!.AsArray());
        Assert.Equal(MailLimits.MaxSubjectLength, ((string)alarm!["source"]!["subject"]!).Length);
        Assert.True(messages.Body!.ToJsonString().Length < 64 * 1024, $"{messages.Body!.ToJsonString().Length} characters");
        Assert.True(alarms.Body!.ToJsonString().Length < 64 * 1024, $"{alarms.Body!.ToJsonString().Length} characters");
    }

    [Fact]
    public async Task FortyMegabyteMailIsFetchedOnlyUpToTheLimitAlarmedOnceFlaggedWithItsSizeAndTheNextMailIsAlarmed()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        var huge = MailBombs.Huge(30 * 1024 * 1024, textFirst: true, "riesig@ils-musterland.example", "2026-999004", "B4 Grossbrand");
        var uid = Assert.Single(await fixture.Imap.AppendAsync(user, [huge]));
        var size = await fixture.Imap.SizeAsync(user, uid);

        var poll = await mailbox.PollNowAsync();

        Assert.True(poll!.Succeeded, poll.Error?.Message);
        Assert.Equal(1, poll.NewMessages);
        Assert.Equal(uid, poll.Watermark.LastUid);
        Assert.True(size > 40_000_000, $"{size} bytes");
        var message = Assert.Single((await mailbox.GetMessagesAsync(10))!);
        Assert.Equal(size, message.Size);
        Assert.True(message.Truncated);
        Assert.Equal(MailLimits.Size, message.Limits[0]);
        Assert.Contains("Einsatznummer: 2026-999004", message.Text, StringComparison.Ordinal);
        var alarms = fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);
        var alarm = Assert.Single(await alarms.ListAsync(new AlarmQuery { Limit = 10 }));
        Assert.Equal(("2026-999004", "B4 Grossbrand", AlarmStatus.New), (alarm.IncidentNumber, alarm.Keyword, alarm.Status));
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted.Count), n => n == 1, Wait, "the alarm at the webhook");

        // Handed over once: the next poll fetches only the mail after it, which is alarmed as usual.
        await fixture.DeliverOverImapAsync("31-same-mail-imap-and-smtp.eml", user, mailbox);
        var after = await alarms.ListAsync(new AlarmQuery { Limit = 10 });
        Assert.Equal(["2026-213031", "2026-999004"], after.Select(a => a.IncidentNumber).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await mailbox.GetMessagesAsync(10))!.Count);
    }

    private async Task AppendRawAsync(string user, byte[] raw)
    {
        using var client = new ImapClient();
        await client.ConnectAsync(fixture.Imap.Host, fixture.Imap.ImapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, "geheim");
        using var stream = new MemoryStream(raw);
        await client.Inbox.AppendAsync(new AppendRequest(await MimeMessage.LoadAsync(stream), MessageFlags.None));
        await client.DisconnectAsync(true);
    }
}
