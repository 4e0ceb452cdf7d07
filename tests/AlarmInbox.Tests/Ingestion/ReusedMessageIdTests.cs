using System.Text;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Tests.Infrastructure;
using MimeKit;

namespace AlarmInbox.Tests.Ingestion;

/// <summary>
/// Dispatch gateways that reuse a Message-ID: a fixed one for every mail, or one made from the incident number, so that an
/// update carries the Message-ID of the first alarm. Before this, the second mail was taken for "the same mail again"
/// (skipped in its mailbox, or recorded as a repeat receipt) and its alarm or update was lost. A mail under a known
/// Message-ID is a repeat only when its fields agree with the earlier mail's; the same mail through two paths still is
/// one alarm, also when a relay appended a disclaimer on one of them.
/// </summary>
public sealed class ReusedMessageIdTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    [Fact]
    public async Task TwoAlarmsUnderOneMessageIdInOneMailboxAreTwoAlarms()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        var messageId = Unique("fixed");

        await fixture.Imap.AppendAsync(user, [Load(Alarm(messageId, "2026-000401", "B3 Wohnhausbrand", "Hauptstraße 1")), Load(Alarm(messageId, "2026-000402", "H1 Türöffnung", "Bahnhofstraße 12"))]);
        var poll = await mailbox.PollNowAsync();

        Assert.True(poll!.Succeeded, poll.Error?.Message);
        var alarms = await AlarmsAsync(tenantId);
        Assert.Equal(["2026-000401", "2026-000402"], alarms.Select(a => a.IncidentNumber).Order(StringComparer.Ordinal));
        Assert.All(alarms, a => Assert.Equal(1, a.Revision));
        var sent = await Eventually.WaitForAsync(
            () => Task.FromResult(receiver.Accepted), a => a.Count >= 2, TimeSpan.FromSeconds(30), "two webhooks");
        Assert.Contains(sent, w => w.Body.Contains("2026-000401", StringComparison.Ordinal));
        Assert.Contains(sent, w => w.Body.Contains("2026-000402", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUpdateUnderTheFirstAlarmsMessageIdBecomesARevision()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        var messageId = Unique("einsatz-2026-000501");

        await fixture.Imap.AppendAsync(user, [Load(Alarm(messageId, "2026-000501", "B2 Brand Carport", "Hauptstraße 1"))]);
        Assert.True((await mailbox.PollNowAsync())!.Succeeded);
        await fixture.Imap.AppendAsync(user, [Load(Alarm(messageId, "2026-000501", "B3 Wohnhausbrand", "Hauptstraße 1"))]);
        Assert.True((await mailbox.PollNowAsync())!.Succeeded);

        var alarm = Assert.Single(await AlarmsAsync(tenantId));
        Assert.Equal(2, alarm.Revision);
        Assert.Equal("B3 Wohnhausbrand", alarm.Keyword);
        Assert.Equal([false, false], alarm.Receipts.Select(r => r.Repeat));
    }

    [Fact]
    public async Task TwoAlarmsUnderOneMessageIdOverSmtpAreTwoAlarms()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (addressId, address) = await fixture.CreateAddressAsync(tenantId);
        var messageId = Unique("fixed");

        await fixture.SendRawAsync(Alarm(messageId, "2026-000601", "B3 Wohnhausbrand", "Hauptstraße 1"), address);
        await fixture.SendRawAsync(Alarm(messageId, "2026-000602", "RD 1 Notfall", "Am Markt 3"), address);
        await fixture.InboundMessagesAsync(addressId, 2);

        var alarms = await Eventually.WaitForAsync(() => AlarmsAsync(tenantId), a => a.Count >= 2, TimeSpan.FromSeconds(30), "two alarms");
        Assert.Equal(["2026-000601", "2026-000602"], alarms.Select(a => a.IncidentNumber).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheSameMailThroughBothPathsWithADisclaimerOnOneIsOneAlarm()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        var (addressId, address) = await fixture.CreateAddressAsync(tenantId);
        var messageId = Unique("ils");
        var mail = Alarm(messageId, "2026-000701", "B3 Wohnhausbrand", "Hauptstraße 1");

        await fixture.Imap.AppendAsync(user, [Load(mail)]);
        Assert.True((await mailbox.PollNowAsync())!.Succeeded);
        await fixture.SendRawAsync(Alarm(messageId, "2026-000701", "B3 Wohnhausbrand", "Hauptstraße 1", "ACHTUNG: Diese E-Mail stammt von einem externen Absender.\r\n"), address);
        await fixture.InboundMessagesAsync(addressId, 1);

        var alarm = await Eventually.WaitForAsync(
            async () => Assert.Single(await AlarmsAsync(tenantId)), a => a.Receipts.Count >= 2, TimeSpan.FromSeconds(30), "the repeat receipt");
        Assert.Equal(1, alarm.Revision);
        Assert.Equal([false, true], alarm.Receipts.Select(r => r.Repeat));
    }

    [Fact]
    public async Task TheFirstOfTwoMailsUnderAReusedMessageIdArrivingAgainIsARepeatOfItsOwnAlarm()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        var (addressId, address) = await fixture.CreateAddressAsync(tenantId);
        var messageId = Unique("fixed");
        var first = Alarm(messageId, "2026-000801", "B3 Wohnhausbrand", "Hauptstraße 1");

        await fixture.Imap.AppendAsync(user, [Load(first), Load(Alarm(messageId, "2026-000802", "H1 Türöffnung", "Bahnhofstraße 12"))]);
        Assert.True((await mailbox.PollNowAsync())!.Succeeded);
        await fixture.SendRawAsync(first, address);
        await fixture.InboundMessagesAsync(addressId, 1);

        var alarms = await Eventually.WaitForAsync(
            () => AlarmsAsync(tenantId), a => a.Sum(x => x.Receipts.Count) >= 3, TimeSpan.FromSeconds(30), "three receipts");
        Assert.Equal(2, alarms.Count);
        var repeated = Assert.Single(alarms, a => a.IncidentNumber == "2026-000801");
        Assert.Equal(1, repeated.Revision);
        Assert.Equal([false, true], repeated.Receipts.Select(r => r.Repeat));
    }

    private async Task<IReadOnlyList<AlarmRecord>> AlarmsAsync(string tenantId) =>
        await fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { Limit = 50 });

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}@ils-musterland.example";

    private static byte[] Alarm(string messageId, string incidentNumber, string keyword, string street, string disclaimer = "") => Encoding.UTF8.GetBytes(
        $"From: Leitstelle <{IngestionFixture.Leitstelle}>\r\n" +
        "To: alarm@ff-musterdorf.example\r\n" +
        "Subject: Alarmierung\r\n" +
        "Date: Mon, 07 Dec 2026 04:10:00 +0100\r\n" +
        $"Message-ID: <{messageId}>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: 8bit\r\n" +
        "\r\n" +
        disclaimer +
        $"Einsatznummer: {incidentNumber}\r\n" +
        $"Stichwort: {keyword}\r\n" +
        $"Straße: {street}\r\n" +
        "Ort: Musterdorf\r\n");

    private static MimeMessage Load(byte[] raw) => MimeMessage.Load(new MemoryStream(raw));
}
