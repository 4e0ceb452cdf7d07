using System.Text;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Tests.Infrastructure;
using MimeKit;

namespace AlarmInbox.Tests.Ingestion;

/// <summary>
/// Dispatch software that sends neither a Message-ID nor a Date header, with one template for every alarm: two different
/// alarms of equal size from the same sender are two alarms, on the IMAP path (Dovecot) and on the SMTP path alike. Before
/// this, the tenant's pipeline skipped the second as "the same mail under another UID", because the per-source content key
/// of a mail without Message-ID is only its Date, sender and size.
/// </summary>
public sealed class MailsWithoutIdentityTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    [Fact]
    public async Task TwoDifferentAlarmsOfEqualSizeWithoutMessageIdAndDateAreTwoAlarmsOverImap()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        var first = TemplatedAlarm("2026-000101", "B3 Wohnhausbrand");
        var second = TemplatedAlarm("2026-000102", "B2 Brand Carport");
        Assert.Equal(first.Length, second.Length);

        await fixture.Imap.AppendAsync(user, [Load(first), Load(second)]);
        var poll = await mailbox.PollNowAsync();

        Assert.True(poll!.Succeeded, poll.Error?.Message);
        Assert.Equal(2, poll.NewMessages);
        var alarms = await fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { Limit = 50 });
        Assert.Equal(["2026-000101", "2026-000102"], alarms.Select(a => a.IncidentNumber).Order(StringComparer.Ordinal));
        Assert.All(alarms, a => Assert.Equal(AlarmStatus.New, a.Status));
    }

    [Fact]
    public async Task TwoDifferentAlarmsOfEqualSizeWithoutMessageIdAndDateAreTwoAlarmsOverSmtp()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (addressId, address) = await fixture.CreateAddressAsync(tenantId);
        var first = TemplatedAlarm("2026-000201", "B3 Wohnhausbrand");
        var second = TemplatedAlarm("2026-000202", "B2 Brand Carport");
        Assert.Equal(first.Length, second.Length);

        await fixture.SendRawAsync(first, address);
        await fixture.SendRawAsync(second, address);
        await fixture.InboundMessagesAsync(addressId, 2);
        // The pipeline evaluates a mail before its message is stored, so both alarms exist once both messages do.
        var alarms = await fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { Limit = 50 });

        Assert.Equal(["2026-000201", "2026-000202"], alarms.Select(a => a.IncidentNumber).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheSameMailWithoutMessageIdAndDateAppendedTwiceIsOneAlarmWithARepeatReceipt()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        var mail = TemplatedAlarm("2026-000301", "B3 Wohnhausbrand");

        await fixture.Imap.AppendAsync(user, [Load(mail), Load(mail)]);
        var poll = await mailbox.PollNowAsync();

        Assert.True(poll!.Succeeded, poll.Error?.Message);
        var alarm = Assert.Single(await fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { Limit = 50 }));
        Assert.Equal(1, alarm.Revision);
        Assert.Equal([false, true], alarm.Receipts.Select(r => r.Repeat));
    }

    [Fact]
    public async Task AfterAUidValidityChangeAnotherAlarmOfEqualSizeWithoutMessageIdAndDateIsStillAnAlarm()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        await fixture.Imap.AppendAsync(user, [Load(TemplatedAlarm("2026-000401", "B3 Wohnhausbrand"))]);
        Assert.True((await mailbox.PollNowAsync())!.Succeeded);

        // The second alarm arrives and the server renumbers the folder before the next poll: the recovery must not take
        // it for the stored first one (same sender, size and no Date).
        await fixture.Imap.AppendAsync(user, [Load(TemplatedAlarm("2026-000402", "B2 Brand Carport"))]);
        var details = await mailbox.GetAsync();
        await fixture.Imap.SetUidValidityAsync(user, details!.Status.Watermark.UidValidity + 1000);
        var poll = await mailbox.PollNowAsync();

        Assert.True(poll!.Succeeded, poll.Error?.Message);
        Assert.True(poll.UidValidityChanged);
        var alarms = await fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { Limit = 50 });
        Assert.Equal(["2026-000401", "2026-000402"], alarms.Select(a => a.IncidentNumber).Order(StringComparer.Ordinal));
        var first = Assert.Single(alarms, a => a.IncidentNumber == "2026-000401");
        Assert.Equal(1, first.Revision);
        Assert.Equal([false, true], first.Receipts.Select(r => r.Repeat));
        var sent = await Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted), a => a.Count >= 2, TimeSpan.FromSeconds(30), "two webhooks");
        Assert.Single(sent, w => w.Body.Contains("2026-000401", StringComparison.Ordinal));
    }

    /// <summary>One template, as dispatch software fills it: no Message-ID, no Date; equal lengths for equal-length values.</summary>
    private static byte[] TemplatedAlarm(string incidentNumber, string keyword) => Encoding.ASCII.GetBytes(
        $"From: Leitstelle <{IngestionFixture.Leitstelle}>\r\n" +
        "To: alarm@ff-musterdorf.example\r\n" +
        "Subject: Alarmierung\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=us-ascii\r\n" +
        "\r\n" +
        $"Einsatznummer: {incidentNumber}\r\n" +
        $"Stichwort: {keyword}\r\n" +
        "Ort: Musterdorf\r\n");

    private static MimeMessage Load(byte[] raw) => MimeMessage.Load(new MemoryStream(raw));
}
