using System.Text.Json;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Ingestion;

/// <summary>
/// Issue 13 end to end: every corpus mail from 13 on goes through the real IMAP path (Dovecot) and the real SMTP path
/// (the silo's listener) of one tenant, and must give the expected stored message on both paths, exactly one alarm with
/// the expected content and a receipt per path, and one webhook delivery (none for a rejected mail).
/// </summary>
public sealed class CorpusPathTests(IngestionFixture fixture) : IClassFixture<IngestionFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Whether a corpus file is one of the original twelve (01–12), whose pipeline counts older tests assert.</summary>
    public static bool IsOriginalTwelve(string fileName) => int.Parse(fileName[..2], System.Globalization.CultureInfo.InvariantCulture) <= 12;

    public static TheoryData<string> NewCorpusMails()
    {
        var data = new TheoryData<string>();
        foreach (var name in ReadExpected().EnumerateObject().Select(p => p.Name).Where(n => n != "_about" && !IsOriginalTwelve(n)))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NewCorpusMails))]
    public async Task CorpusMailOverImapAndSmtpIsStoredOnBothPathsAndIsOneAlarmWithTheExpectedContentAndOneDelivery(string fileName)
    {
        var expected = ReadExpected().GetProperty(fileName);
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, mailboxId) = await fixture.CreateMailboxAsync(tenantId);
        var (addressId, address) = await fixture.CreateAddressAsync(tenantId);
        var alarms = fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);

        await fixture.DeliverOverImapAsync(fileName, user, mailbox);
        await fixture.SendCorpusAsync(fileName, address);
        var records = await Eventually.WaitForAsync(
            () => alarms.ListAsync(new AlarmQuery { Limit = 50 }), r => r.Sum(a => a.Receipts.Count) >= 2, Wait, "both paths recorded on the alarm");
        var imapMessage = Assert.Single((await mailbox.GetMessagesAsync(50))!);
        var smtpMessage = Assert.Single(await fixture.InboundMessagesAsync(addressId, 1));

        AssertStoredMessage(expected, imapMessage);
        AssertStoredMessage(expected, smtpMessage);
        var alarm = Assert.Single(records);
        Assert.Equal(1, alarm.Revision);
        Assert.Equal(Enum.Parse<AlarmStatus>(expected.GetProperty("status").GetString()!), alarm.Status);
        Assert.Equal(expected.GetProperty("incidentNumber").GetString(), alarm.IncidentNumber);
        Assert.Equal(expected.GetProperty("keyword").GetString(), alarm.Keyword);
        Assert.Equal(expected.GetProperty("originalFrom").GetString(), alarm.Source.OriginalFrom);
        Assert.Equal(expected.GetProperty("late").GetBoolean(), alarm.Late);
        Assert.Equal(alarm.Late, imapMessage.Late);
        Assert.Equal(alarm.Late, smtpMessage.Late);
        if (expected.TryGetProperty("rejection", out var rejection))
        {
            Assert.Equal(rejection.GetString(), alarm.Rejection?.Code);
        }

        foreach (var field in expected.TryGetProperty("fields", out var fields) ? fields.EnumerateObject() : default)
        {
            Assert.Equal(field.Value.GetString(), alarm.Fields.GetValueOrDefault(field.Name));
        }

        Assert.Equal(
            [(MailPathKind.Imap, mailboxId, imapMessage.Uid, false), (MailPathKind.Smtp, addressId, smtpMessage.Uid, true)],
            alarm.Receipts.Select(r => (r.Path, r.SourceId, r.Uid, r.Repeat)));
        await AssertDeliveriesAsync(tenantId, alarm, receiver);
    }

    [Theory]
    [InlineData("31-same-mail-imap-and-smtp.eml")]
    [InlineData("28-no-message-id-no-date.eml")]
    [InlineData("20-forward-as-attachment-outlook.eml")]
    public async Task SameMailOverThreePathsIsOneAlarmAtRevisionOneWithOneDeliveryAndItsReceiptsInTheApi(string fileName)
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (userA, mailboxA, mailboxIdA) = await fixture.CreateMailboxAsync(tenantId);
        var (userB, mailboxB, mailboxIdB) = await fixture.CreateMailboxAsync(tenantId);
        var (addressId, address) = await fixture.CreateAddressAsync(tenantId);
        var alarms = fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);

        await fixture.DeliverOverImapAsync(fileName, userA, mailboxA);
        await fixture.SendCorpusAsync(fileName, address);
        await fixture.InboundMessagesAsync(addressId, 1);
        await fixture.DeliverOverImapAsync(fileName, userB, mailboxB);
        var alarm = Assert.Single(await alarms.ListAsync(new AlarmQuery { Limit = 50 }));
        var api = await fixture.Api.GetAsync($"/api/tenants/{tenantId}/alarms/{alarm.Id}");

        Assert.Equal(AlarmStatus.New, alarm.Status);
        Assert.Equal(1, alarm.Revision);
        Assert.Single(alarm.History);
        Assert.Equal(
            [("Imap", mailboxIdA, false), ("Smtp", addressId, true), ("Imap", mailboxIdB, true)],
            api.Body!["receipts"]!.AsArray().Select(r => ((string)r!["path"]!, (string)r["sourceId"]!, (bool)r["repeat"]!)));
        Assert.All(api.Body!["receipts"]!.AsArray(), r => Assert.Equal(1, (int)r!["revision"]!));
        Assert.Equal(1, (int)api.Body!["revision"]!);
        await AssertDeliveriesAsync(tenantId, alarm, receiver);
    }

    [Fact]
    public async Task MailWithoutMessageIdSentAgainWithAnotherDateIsRecognisedByItsContent()
    {
        await using var receiver = new WebhookReceiver();
        var tenantId = await fixture.CreateTenantAsync(receiver);
        var (user, mailbox, _) = await fixture.CreateMailboxAsync(tenantId);
        var (addressId, address) = await fixture.CreateAddressAsync(tenantId);
        var alarms = fixture.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);

        await fixture.DeliverOverImapAsync("29-no-message-id-sent-twice-first.eml", user, mailbox);
        await fixture.SendCorpusAsync("30-no-message-id-sent-twice-second.eml", address);
        await fixture.InboundMessagesAsync(addressId, 1);
        var alarm = Assert.Single(await alarms.ListAsync(new AlarmQuery { Limit = 50 }));

        Assert.Equal(1, alarm.Revision);
        Assert.Equal([false, true], alarm.Receipts.Select(r => r.Repeat));
        await AssertDeliveriesAsync(tenantId, alarm, receiver);
    }

    private async Task AssertDeliveriesAsync(string tenantId, AlarmRecord alarm, WebhookReceiver receiver)
    {
        var outbox = fixture.Grains.GetGrain<IWebhookOutboxGrain>(tenantId);
        if (!alarm.IsDeliverable)
        {
            Assert.Empty((await outbox.GetDeliveriesAsync([alarm.Id])).GetValueOrDefault(alarm.Id) ?? []);
            Assert.Empty(receiver.Requests);
            return;
        }

        var deliveries = await Eventually.WaitForAsync(
            async () => (await outbox.GetDeliveriesAsync([alarm.Id]))[alarm.Id], d => d.Count == 1 && d[0].State == WebhookDeliveryState.Delivered, Wait, "the one delivery");
        Assert.Equal(1, deliveries[0].Revision);

        // Delivery is at least once: on a busy machine an attempt whose 200 came after the attempt timeout is sent again
        // with the same key. One delivery means one idempotency key.
        Assert.Equal([$"{alarm.Id}.1"], receiver.Accepted.Select(r => r.IdempotencyKey).Distinct());
    }

    private static void AssertStoredMessage(JsonElement expected, MailMessage message)
    {
        Assert.Equal(expected.GetProperty("subject").GetString(), message.Subject);
        Assert.Equal(expected.GetProperty("from").GetString(), message.From);
        Assert.Equal(expected.GetProperty("messageId").GetString(), message.MessageId);
        if (expected.TryGetProperty("textContains", out var text))
        {
            Assert.Contains(text.GetString()!, message.Text, StringComparison.Ordinal);
        }

        if (expected.TryGetProperty("fromName", out var fromName))
        {
            Assert.Equal(fromName.GetString(), message.FromName);
        }

        if (expected.TryGetProperty("attachedMessage", out var attached))
        {
            // Stored messages name the attached original; its text is not kept.
            Assert.NotNull(message.AttachedMessage);
            Assert.Equal(attached.GetProperty("subject").GetString(), message.AttachedMessage.Subject);
            Assert.Equal(attached.GetProperty("from").GetString(), message.AttachedMessage.From);
            Assert.Equal(attached.GetProperty("messageId").GetString(), message.AttachedMessage.MessageId);
            Assert.Equal("", message.AttachedMessage.Text);
        }
        else
        {
            Assert.Null(message.AttachedMessage);
        }

        Assert.Empty(message.Limits);
    }

    private static JsonElement ReadExpected() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.CorpusMail, "expected.json"))).RootElement;
}
