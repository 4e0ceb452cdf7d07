using System.Net.Http.Json;
using System.Text.Json;
using AlarmInbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Hostile;

/// <summary>
/// A database outage while the tenant's alarm pipeline writes its state: the poll fails, the mailbox keeps its
/// watermark, and once the database is back the retried poll must make the alarm durable and deliver it. Before the
/// fix, the failed write left the handled keys in the grain's memory, so the retry skipped the mail as handled: the
/// alarm lived only in memory, was not handed to the webhook outbox, and was gone after a restart.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AlarmWriteFailureTests(PostgresServer postgres, DovecotServer imap, ITestOutputHelper output) : IAsyncLifetime
{
    private ProcessSiloOnPostgres? _cluster;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await (_cluster?.DisposeAsync() ?? ValueTask.CompletedTask);

    [Fact]
    public async Task AnAlarmWhoseStateWriteFailedDuringADatabaseOutageIsStoredAndDeliveredOnceWhenThePollIsRetried()
    {
        await using var receiver = new WebhookReceiver();
        var user = await imap.CreateUserAsync();
        _cluster = await ProcessSiloOnPostgres.StartAsync(await postgres.CreateDatabaseAsync(), throughProxy: true);
        var proxy = _cluster.Proxy!;
        var http = _cluster.Api.CreateClient();
        const string Tenant = "ff-outage";
        Assert.True((await http.PostAsJsonAsync("/api/tenants", new { id = Tenant, name = "Outage" })).IsSuccessStatusCode);
        Assert.True((await http.PostAsJsonAsync($"/api/tenants/{Tenant}/webhooks", new { name = "Alarmierung", url = receiver.Url, secret = receiver.Secret })).IsSuccessStatusCode);
        using var created = await http.PostAsJsonAsync($"/api/tenants/{Tenant}/mailboxes", new
        {
            displayName = "Alarm", host = imap.Host, port = imap.ImapPort, security = "None", username = user, password = "geheim",
            pollIntervalSeconds = 3600, useIdle = false,
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var mailboxId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        // The pipeline is active (its state read) before the outage, as it is in a running installation.
        Assert.True((await http.GetAsync(new Uri($"/api/tenants/{Tenant}/alarms", UriKind.Relative))).IsSuccessStatusCode);

        proxy.RefuseNew();
        proxy.CutAll();
        await imap.AppendCorpusAsync(user, "01-plain-utf8-keyvalue.eml");
        using var failed = await http.PostAsync(new Uri($"/api/tenants/{Tenant}/mailboxes/{mailboxId}/poll", UriKind.Relative), null);
        output.WriteLine($"Poll during the outage: {(int)failed.StatusCode} {await failed.Content.ReadAsStringAsync()}");
        Assert.False(failed.IsSuccessStatusCode && (await failed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("succeeded").GetBoolean());

        proxy.Resume();
        await Eventually.WaitForAsync(
            async () =>
            {
                using var poll = await http.PostAsync(new Uri($"/api/tenants/{Tenant}/mailboxes/{mailboxId}/poll", UriKind.Relative), null);
                return poll.IsSuccessStatusCode && (await poll.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("succeeded").GetBoolean();
            },
            ok => ok, TimeSpan.FromSeconds(60), "a poll that succeeds after the outage");

        var delivered = await Eventually.WaitForAsync(
            () => Task.FromResult(receiver.Accepted), a => a.Count >= 1, TimeSpan.FromSeconds(60), "the alarm delivered to the webhook");
        Assert.Single(delivered);

        // Durable: after a restart of the silo the alarm is still there, and nothing is delivered twice.
        await _cluster.RestartSiloAsync();
        var alarms = await Eventually.WaitForAsync(
            async () =>
            {
                using var list = await http.GetAsync(new Uri($"/api/tenants/{Tenant}/alarms", UriKind.Relative));
                return list.IsSuccessStatusCode ? (await list.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList() : [];
            },
            a => a.Count >= 1, TimeSpan.FromSeconds(60), "the alarm after the restart");
        Assert.Equal("2026-113456", Assert.Single(alarms).GetProperty("incidentNumber").GetString());
        Assert.Single(receiver.Accepted);
    }
}
