using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MimeKit;

namespace AlarmInbox.Tests.Inbound;

/// <summary>Deleting a tenant is complete and final (issue 16, finding 2): nothing of it answers, delivers or comes back.</summary>
public sealed class TenantDeleteTests(SmtpSiloFixture fixture) : IClassFixture<SmtpSiloFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private const string Leitstelle = "alarmierung@ils-musterland.example";

    [Fact]
    public async Task DeletedTenantRefusesItsMailAndKeysAndATenantCreatedAgainUnderItsIdStartsEmpty()
    {
        var (tenantId, addressId, address) = await fixture.CreateAddressAsync();
        await using var receiver = new WebhookReceiver();
        Assert.Equal(201, (await fixture.Api.PostAsync($"/api/tenants/{tenantId}/webhooks", new { name = "Alarmdisplay", url = receiver.Url, secret = receiver.Secret })).Status);
        var created = await fixture.Api.PostAsync("/api/keys", new { name = "Wehrführer", role = "TenantAdmin", tenantId });
        var admin = fixture.ClientFor((string)created.Body!["key"]!);
        await fixture.SendAsync(Mail("B3 Wohnhausbrand", "2026-501"), Leitstelle, address);
        await Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted.Count), n => n == 1, Wait, "the alarm at the webhook");
        Assert.Equal(200, (await admin.GetAsync($"/api/tenants/{tenantId}/alarms")).Status);

        Assert.Equal(204, (await fixture.Api.SendAsync(HttpMethod.Delete, $"/api/tenants/{tenantId}?cascade=true")).Status);

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => fixture.SendAsync(Mail("B3 Wohnhausbrand Nachtrag", "2026-501"), Leitstelle, address));
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, refused.StatusCode);
        Assert.Equal(401, (await admin.GetAsync($"/api/tenants/{tenantId}/alarms")).Status);
        Assert.Equal(404, (await fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}")).Status);

        Assert.Equal(201, (await fixture.Api.PostAsync("/api/tenants", new { id = tenantId, name = "Feuerwehr Neu" })).Status);
        Assert.Empty((await fixture.Api.GetAsync($"/api/tenants/{tenantId}/alarms")).Body!.AsArray());
        Assert.Empty((await fixture.Api.GetAsync($"/api/tenants/{tenantId}/webhooks")).Body!.AsArray());
        Assert.Empty((await fixture.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses")).Body!.AsArray());
        Assert.Empty((await fixture.Api.GetAsync($"/api/tenants/{tenantId}/alarm-settings")).Body!["allowedSenders"]!.AsArray());
        Assert.Equal(401, (await admin.GetAsync($"/api/tenants/{tenantId}/alarms")).Status);
        var key = (await fixture.Api.GetAsync("/api/keys")).Body!["keys"]!.AsArray().Single(k => (string?)k!["id"] == (string?)created.Body!["apiKey"]!["id"])!;
        Assert.NotNull((string?)key["revokedAt"]);
        Assert.Single(receiver.Requests);
    }

    private static MimeMessage Mail(string keyword, string incident)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(Leitstelle));
        message.To.Add(MailboxAddress.Parse("wehr@ff-musterdorf.example"));
        message.Subject = keyword;
        message.Body = new TextPart("plain") { Text = $"Einsatznummer: {incident}\nStichwort: {keyword}\nOrt: Musterdorf" };
        return message;
    }
}
