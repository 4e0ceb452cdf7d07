using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Cluster;

/// <summary>The Orleans Dashboard, the health endpoints and <c>/metrics</c>, all through the real API.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DashboardHealthMetricsTests(ClusterFixture cluster)
{
    private const string Password = "streng-geheim-4711";

    [Fact]
    public async Task DashboardPageAndItsJsonEndpointsAnswerThroughTheApi()
    {
        using var http = cluster.Api.CreateClient();

        var page = await http.GetAsync(new Uri("/dashboard/", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>Orleans Dashboard</title>", html, StringComparison.Ordinal);

        foreach (var endpoint in new[] { "/dashboard/version", "/dashboard/DashboardCounters", "/dashboard/ClusterStats", "/dashboard/Reminders", "/dashboard/GrainTypes" })
        {
            var response = await http.GetAsync(new Uri(endpoint, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{endpoint}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            using var _ = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        }

        // The dashboard grain computes its overview at most every AlarmInbox:Silo:DashboardSampleInterval, the first
        // time that long after it was activated at silo start: until then it answers with zero hosts.
        var counters = await Eventually.WaitForAsync(
            () => http.GetFromJsonAsync<JsonElement>("/dashboard/DashboardCounters"),
            c => c.GetProperty("totalActiveHostCount").GetInt32() > 0,
            TimeSpan.FromSeconds(90),
            "the dashboard overview with the active silo");
        Assert.Equal(1, counters.GetProperty("totalActiveHostCount").GetInt32());
    }

    [Fact]
    public async Task GrainStateViewerShowsNoSecretAndChangesNothing()
    {
        var user = await cluster.Imap.CreateUserAsync(Password);
        var tenantId = "ff-dash-" + Guid.NewGuid().ToString("N")[..6];
        var tenant = cluster.Silo.Grains.GetGrain<ITenantGrain>(tenantId);
        await tenant.CreateAsync("Feuerwehr Dashboard");
        var created = (await tenant.CreateMailboxAsync(
            new MailboxSettings
            {
                DisplayName = "Alarm", Host = cluster.Imap.Host, Port = cluster.Imap.ImapPort, Security = MailboxSecurity.None,
                Username = user, Password = Password, PollIntervalSeconds = 600,
            },
            backfill: 0)).Value!;
        var mailbox = cluster.Silo.Grains.GetGrain<IMailboxGrain>(created!.Config.Id);
        using var http = cluster.Api.CreateClient();

        var shown = new List<string>();
        foreach (var grainType in new[] { "AlarmInbox.Grains.Mailboxes.MailboxGrain", "AlarmInbox.Grains.Tenants.TenantGrain" })
        {
            var id = grainType.EndsWith("MailboxGrain", StringComparison.Ordinal) ? created.Config.Id : tenantId;
            var response = await http.GetAsync(new Uri($"/dashboard/GrainState?grainId={id}&grainType={grainType}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            shown.Add(await response.Content.ReadAsStringAsync());
        }

        var after = await mailbox.GetAsync();
        Assert.All(shown, body =>
        {
            Assert.DoesNotContain(Password, body, StringComparison.Ordinal);
            Assert.DoesNotContain("ProtectedPassword", body, StringComparison.OrdinalIgnoreCase);
        });
        Assert.NotNull(after);
        Assert.Equal(MailboxState.Idle, after.Status.State);
        Assert.Equal(created.Status.Watermark, after.Status.Watermark);
        Assert.Equal([created.Config.Id], (await tenant.GetAsync())!.MailboxIds);
    }

    [Fact]
    public async Task ReadyIsHealthyWhileTheSiloRunsAndUnavailableOnceItIsGone()
    {
        await using var silo = await TestSilo.StartAsync();
        await using var api = new ApiFactory(silo.GatewayPort);
        using var http = api.CreateClient();
        var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));

        await silo.StopAsync();
        var liveWithoutSilo = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        var readyWithoutSilo = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.StatusCode, await live.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, liveWithoutSilo.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyWithoutSilo.StatusCode);
        Assert.StartsWith("Unhealthy\ncluster: No silo or no storage answered: ", await readyWithoutSilo.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsEndpointServesOrleansClientMetricsInPrometheusFormat()
    {
        using var http = cluster.Api.CreateClient();
        await http.GetAsync(new Uri("/health/ready", UriKind.Relative));

        var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE orleans_", body, StringComparison.Ordinal);
        Assert.Contains("otel_scope_name=\"Microsoft.Orleans\"", body, StringComparison.Ordinal);
    }
}
