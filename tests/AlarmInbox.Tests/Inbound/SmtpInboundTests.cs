using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Ingestion;
using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MimeKit;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Inbound;

/// <summary>Inbound SMTP end to end: real SMTP clients (MailKit, swaks) against the silo's listener, checked through the API and the grains.</summary>
public sealed class SmtpInboundTests(SmtpSiloFixture fixture, ITestOutputHelper output) : IClassFixture<SmtpSiloFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private const string Leitstelle = "alarmierung@ils-musterland.example";

    [Fact]
    public async Task CorpusMailsSentOverSmtpAreStoredDecodedAndEvaluatedLikeFetchedMails()
    {
        var (tenantId, addressId, address) = await fixture.CreateAddressAsync();
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.CorpusMail, "expected.json")))!;
        var files = CorpusFiles();

        var latencies = new List<double>();
        using (var client = await fixture.ConnectAsync())
        {
            foreach (var file in files)
            {
                var mail = MimeMessage.Load(Path.Combine(RepoPaths.CorpusMail, file));
                var before = Stopwatch.GetTimestamp();
                var reply = await client.SendAsync(mail, MailboxAddress.Parse(Leitstelle), [MailboxAddress.Parse(address)]);
                latencies.Add(Stopwatch.GetElapsedTime(before).TotalMilliseconds);
                Assert.StartsWith("Queued as smtp-", reply, StringComparison.Ordinal);
            }

            await client.DisconnectAsync(quit: true);
        }

        output.WriteLine($"Accept latency (MAIL FROM to 250 on an open connection), 12 corpus mails: median {Median([.. latencies]):0.0} ms, max {latencies.Max():0.0} ms");

        var messages = await Eventually.WaitForAsync(
            () => fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}/messages?limit=50"),
            r => r.Body!.AsArray().Count == files.Count, Wait, "12 messages listed");
        var byUid = new Dictionary<uint, string>();
        foreach (var message in messages.Body!.AsArray())
        {
            var subject = (string)message!["subject"]!;
            var file = Assert.Single(files, f => (string?)expected[f]!["subject"] == subject);
            Assert.Equal((string?)expected[file]!["from"], (string?)message["from"]);
            Assert.Equal((string?)expected[file]!["messageId"], (string?)message["messageId"]);
            if ((string?)expected[file]!["textContains"] is { } textContains)
            {
                Assert.Contains(textContains, (string)message["text"]!, StringComparison.Ordinal);
            }

            Assert.Equal(Leitstelle, (string?)message["envelopeFrom"]);
            Assert.Equal(address, (string?)message["envelopeTo"]![0]);
            byUid[(uint)message["uid"]!] = file;
        }

        Assert.Equal(Enumerable.Range(1, 12).Select(i => (uint)i), byUid.Keys.Order());

        // Same result as the pipeline test over IMAP: one record per mail, except the incident update (10 records).
        var records = await fixture.Silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).ListAsync(new AlarmQuery { MailboxId = addressId, Limit = 500 });
        Assert.Equal(10, records.Count);
        foreach (var (uid, file) in byUid)
        {
            var record = Assert.Single(records, r => r.History.Any(h => h.Source.MailboxId == addressId && h.Source.Uid == uid));
            Assert.Equal((string?)expected[file]!["incidentNumber"], record.IncidentNumber);
        }

        var status = await fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}");
        Assert.Equal(12, (long)status.Body!["acceptedCount"]!);
        Assert.Equal(0, (long)status.Body!["rejectedCount"]!);
        Assert.NotNull((string?)status.Body!["lastReceivedAt"]);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(fixture.Silo.DataDirectory, "spool"), "*.msg"));
    }

    [Fact]
    public async Task UnknownRevokedRotatedAwayAndForeignDomainRecipientsAreRefusedWith550()
    {
        var (tenantId, addressId, address) = await fixture.CreateAddressAsync();
        var unknown = await Assert.ThrowsAsync<SmtpCommandException>(() => fixture.SendAsync(Mail("unknown"), Leitstelle, "nobody1234567890abcd@" + SmtpSiloFixture.Domain));
        var relay = await Assert.ThrowsAsync<SmtpCommandException>(() => fixture.SendAsync(Mail("relay"), Leitstelle, address.Split('@')[0] + "@example.org"));

        var rotated = await fixture.Api.SendAsync(HttpMethod.Post, $"/api/tenants/{tenantId}/inbound-addresses/{addressId}/rotate");
        var newAddress = (string)rotated.Body!["address"]!;
        var old = await Assert.ThrowsAsync<SmtpCommandException>(() => fixture.SendAsync(Mail("old token"), Leitstelle, address));
        await fixture.SendAsync(Mail("new token"), Leitstelle, newAddress);

        var revoked = await fixture.Api.SendAsync(HttpMethod.Delete, $"/api/tenants/{tenantId}/inbound-addresses/{addressId}");
        var afterRevoke = await Assert.ThrowsAsync<SmtpCommandException>(() => fixture.SendAsync(Mail("revoked"), Leitstelle, newAddress));

        foreach (var refused in new[] { unknown, relay, old, afterRevoke })
        {
            Assert.Equal(SmtpStatusCode.MailboxUnavailable, refused.StatusCode);
            Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refused.ErrorCode);
        }

        Assert.NotEqual(address, newAddress);
        Assert.Equal("Revoked", (string?)revoked.Body!["state"]);
        var messages = await Eventually.WaitForAsync(
            () => fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}/messages"),
            r => r.Body!.AsArray().Count == 1, Wait, "the one accepted mail listed");
        Assert.Equal("new token", (string?)messages.Body![0]!["subject"]);
    }

    [Fact]
    public async Task OversizedMailIsRefusedWith552AndNothingIsStored()
    {
        var (tenantId, addressId, address) = await fixture.CreateAddressAsync();
        var big = Mail("too big");
        big.Body = new TextPart("plain") { Text = new string('x', SmtpSiloFixture.MaxMessageBytes + 1000) };

        using var client = await fixture.ConnectAsync();
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(big, MailboxAddress.Parse(Leitstelle), [MailboxAddress.Parse(address)]));
        await client.SendAsync(Mail("small after big"), MailboxAddress.Parse(Leitstelle), [MailboxAddress.Parse(address)]);

        Assert.Equal(SmtpSiloFixture.MaxMessageBytes, (int)client.MaxSize);
        Assert.Equal((SmtpStatusCode)552, refused.StatusCode);
        var messages = await Eventually.WaitForAsync(
            () => fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}/messages"),
            r => r.Body!.AsArray().Count == 1, Wait, "only the small mail listed");
        Assert.Equal("small after big", (string?)messages.Body![0]!["subject"]);
    }

    [Fact]
    public async Task AMailToThreeAddressesIsStoredAtEachAndAFourthRecipientIsRefusedWith452AndCounted()
    {
        var (tenantId, firstId, first) = await fixture.CreateAddressAsync();
        var others = new List<(string Id, string Address)>();
        for (var i = 0; i < 3; i++)
        {
            var created = await fixture.Api.PostAsync($"/api/tenants/{tenantId}/inbound-addresses", new { description = $"extra {i}" });
            others.Add(((string)created.Body!["id"]!, (string)created.Body!["address"]!));
        }

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => fixture.SendAsync(Mail("four recipients"), Leitstelle, [first, .. others.Select(o => o.Address)]));
        await fixture.SendAsync(Mail("three recipients"), Leitstelle, [first, others[0].Address, others[1].Address]);

        Assert.Equal(SmtpStatusCode.InsufficientStorage, refused.StatusCode);
        var fourth = await fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{others[2].Id}");
        Assert.Equal(1, (long)fourth.Body!["rejectedCount"]!);
        Assert.Equal(0, (long)fourth.Body!["acceptedCount"]!);
        foreach (var id in new[] { firstId, others[0].Id, others[1].Id })
        {
            var messages = await Eventually.WaitForAsync(
                () => fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{id}/messages"),
                r => r.Body!.AsArray().Count == 1, Wait, $"the mail listed at {id}");
            Assert.Equal("three recipients", (string?)messages.Body![0]!["subject"]);
            Assert.Equal(3, messages.Body![0]!["envelopeTo"]!.AsArray().Count);
        }

        var list = await fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses");
        Assert.Equal(4, list.Body!.AsArray().Count);
    }

    [Fact]
    public async Task HundredConcurrentSendsAreAllStoredExactlyOnce()
    {
        var (tenantId, addressId, address) = await fixture.CreateAddressAsync();
        var latencies = new double[100];
        var started = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var message = Mail($"Einsatz {i:000}");
            message.MessageId = $"concurrent-{i}@ils-musterland.example";
            var before = Stopwatch.GetTimestamp();
            await fixture.SendAsync(message, Leitstelle, address);
            latencies[i] = Stopwatch.GetElapsedTime(before).TotalMilliseconds;
        }));
        var accepted = started.Elapsed;
        var messages = await Eventually.WaitForAsync(
            () => fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}/messages?limit=500"),
            r => r.Body!.AsArray().Count >= 100, 3 * Wait, "100 messages listed"); // each hand-off makes three durable writes (UID, alarm, message): slow on a loaded machine
        var stored = started.Elapsed;

        output.WriteLine($"100 concurrent sends: all answered 250 after {accepted.TotalMilliseconds:0} ms, all stored after {stored.TotalMilliseconds:0} ms; per send (connect, send, quit) median {Median(latencies):0.0} ms, max {latencies.Max():0.0} ms");
        var ids = messages.Body!.AsArray().Select(m => (string)m!["messageId"]!).ToList();
        Assert.Equal(100, ids.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"concurrent-{i}@ils-musterland.example").Order(), ids.Order());
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (uint)i), messages.Body!.AsArray().Select(m => (uint)m!["uid"]!).Order());
        var status = await fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}");
        Assert.Equal(100, (long)status.Body!["acceptedCount"]!);
    }

    [Fact]
    public async Task StartTlsIsOfferedAndAMailSentOverTlsIsStored()
    {
        var (tenantId, addressId, address) = await fixture.CreateAddressAsync();

        using var client = await fixture.ConnectAsync(startTls: true);
        await client.SendAsync(Mail("over TLS"), MailboxAddress.Parse(Leitstelle), [MailboxAddress.Parse(address)]);

        Assert.True(client.IsSecure);
        var messages = await Eventually.WaitForAsync(
            () => fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}/messages"),
            r => r.Body!.AsArray().Count == 1, Wait, "the TLS mail listed");
        Assert.Equal("over TLS", (string?)messages.Body![0]!["subject"]);
    }

    [Fact]
    public async Task TheEnvelopeSenderPassesTheSenderFilterWhenTheFromHeaderDoesNot()
    {
        var (tenantId, addressId, address) = await fixture.CreateAddressAsync();
        var alarms = fixture.Silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);
        await alarms.SetSettingsAsync(AlarmEvaluatorTests.CorpusSettings with { AllowedSenders = ["leitstelle.example"] });
        var viaEnvelope = Mail("B3 Wohnhausbrand", text: "Einsatznummer: 2026-900001\nStichwort: B3 Wohnhausbrand");
        var notAllowed = Mail("B3 Wohnhausbrand", text: "Einsatznummer: 2026-900002\nStichwort: B3 Wohnhausbrand");

        await fixture.SendAsync(viaEnvelope, "ils@leitstelle.example", address);
        await fixture.SendAsync(notAllowed, "someone@elsewhere.example", address);

        var records = await Eventually.WaitForAsync(
            () => alarms.ListAsync(new AlarmQuery { MailboxId = addressId }), r => r.Count == 2, Wait, "two alarm records");
        Assert.Equal(AlarmStatus.New, records.Single(r => r.IncidentNumber == "2026-900001").Status);
        var rejected = records.Single(r => r.IncidentNumber == "2026-900002");
        Assert.Equal(AlarmStatus.Rejected, rejected.Status);
        Assert.Equal(AlarmRejectionCodes.SenderNotAllowed, rejected.Rejection!.Code);
    }

    [Fact]
    public async Task SwaksDeliversACorpusMail()
    {
        var (tenantId, addressId, address) = await fixture.CreateAddressAsync();
        var file = Path.Combine(RepoPaths.CorpusMail, "02-latin1-quoted-printable.eml");

        var transcript = await ProcessRunner.RunAsync("swaks",
            ["--server", "127.0.0.1", "--port", fixture.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--from", Leitstelle, "--to", address, "--data", "@" + file, "--hide-all"], new Dictionary<string, string>());

        var messages = await Eventually.WaitForAsync(
            () => fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}/messages"),
            r => r.Body!.AsArray().Count == 1, Wait, "the swaks mail listed");
        Assert.Equal("H1 Türöffnung Große Gasse", (string?)messages.Body![0]!["subject"]);
        Assert.Equal("Leitstelle Münsterland", (string?)messages.Body![0]!["fromName"]);
        Assert.Equal("", transcript);
    }

    [Fact]
    public async Task BadRequestsAreProblemsNamingTheField()
    {
        var (tenantId, addressId, _) = await fixture.CreateAddressAsync();

        var tooLong = await fixture.Api.PostAsync($"/api/tenants/{tenantId}/inbound-addresses", new { description = new string('d', 201) });
        var badLimit = await fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}/messages?limit=0");
        var missing = await fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/inb-000000000000");
        var otherTenant = await fixture.Api.GetAsync($"/api/tenants/no-such-tenant/inbound-addresses/{addressId}");
        var noTenant = await fixture.Api.PostAsync("/api/tenants/no-such-tenant/inbound-addresses", new { });

        Assert.Equal(400, tooLong.Status);
        Assert.NotNull(tooLong.Body!["errors"]!["description"]);
        Assert.Equal(400, badLimit.Status);
        Assert.NotNull(badLimit.Body!["errors"]!["limit"]);
        Assert.Equal(404, missing.Status);
        Assert.Equal("addressId", (string?)missing.Body!["field"]);
        Assert.Equal(404, otherTenant.Status);
        Assert.Equal(404, noTenant.Status);
        Assert.Equal("tenantId", (string?)noTenant.Body!["field"]);
        Assert.Equal("application/problem+json", missing.MediaType);
    }

    [Fact]
    public async Task ConcurrentCreatesCreateExactlyTheLimitOfAddressesAndAnswerTheRestWithAProblemNamingTheField()
    {
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(fixture.Silo.Grains);

        // 30 creates at once: before, each request checked the count itself, so several could pass it together.
        var responses = await Task.WhenAll(Enumerable.Range(0, InboundLimits.MaxAddressesPerTenant + 10).Select(i =>
            fixture.Api.PostAsync($"/api/tenants/{tenantId}/inbound-addresses", new { description = $"Leitstelle {i}" })));
        var listed = await fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses");

        Assert.Equal(InboundLimits.MaxAddressesPerTenant, responses.Count(r => r.Status == 201));
        var refused = responses.Where(r => r.Status != 201).ToList();
        Assert.Equal(10, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(409, r.Status);
            Assert.Equal("application/problem+json", r.MediaType);
            Assert.Equal("tenantId", (string?)r.Body!["field"]);
        });
        Assert.Equal(
            responses.Where(r => r.Status == 201).Select(r => (string)r.Body!["id"]!).Order(StringComparer.Ordinal),
            listed.Body!.AsArray().Select(a => (string)a!["id"]!).Order(StringComparer.Ordinal));
    }

    private static MimeMessage Mail(string subject, string? text = null)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Absender", "absender@elsewhere.example"));
        message.To.Add(MailboxAddress.Parse("wehr@ff-musterdorf.example"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = text ?? "Einsatznummer: 2026-1\nStichwort: " + subject };
        return message;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static List<string> CorpusFiles() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.CorpusMail, "expected.json"))).RootElement
            .EnumerateObject().Select(p => p.Name).Where(n => n != "_about" && CorpusPathTests.IsOriginalTwelve(n)).Order(StringComparer.Ordinal).ToList();
}
