using System.Net.Http.Json;
using System.Text.Json;
using AlarmInbox.Silo.Hosting;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlarmInbox.Tests.Cluster;

/// <summary>
/// The Orleans Dashboard's silo counters are collected only while a dashboard is open (issue 15, idle cost), and are
/// live once it is; <c>AlarmInbox:Silo:DashboardAlwaysCollect</c> brings back the package's collection every second.
/// A real silo and the real API, the dashboard's JSON endpoints as its pages call them.
/// </summary>
public sealed class DashboardCollectionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public void TheInstalledDashboardPackageHasTheInternalsTheSiloSwitches()
    {
        // If an upgrade of Microsoft.Orleans.Dashboard renames them, the silo falls back to collecting every second
        // (and logs a warning): this test says so before a benchmark does.
        Assert.NotNull(DashboardCollection.Bind());
    }

    [Fact]
    public async Task SiloCountersAreCollectedOnlyOnceADashboardIsOpenAndThenStayLive()
    {
        await using var silo = await TestSilo.StartAsync(settings: new() { ["AlarmInbox:Silo:DashboardSampleInterval"] = "00:00:01" });
        await using var api = new ApiFactory(silo.GatewayPort);
        using var http = api.CreateClient();
        var address = Uri.EscapeDataString(silo.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress.ToParsableString());
        var countersPath = "/dashboard/SiloCounters/" + address;

        // Three runtime samples one second apart: long enough for the package's own once-a-second collection to have
        // run. Neither this request nor the counters' goes to the dashboard grain, so neither counts as watching.
        await Eventually.WaitForAsync(
            () => http.GetFromJsonAsync<JsonElement>("/dashboard/HistoricalStats/" + address),
            stats => stats.EnumerateArray().Count(s => s.ValueKind != JsonValueKind.Null) >= 3,
            Patience,
            "three runtime samples of the silo");
        var unwatched = await http.GetFromJsonAsync<JsonElement>(countersPath);

        // The dashboard's overview request switches watching on in every silo.
        var first = await Eventually.WaitForAsync(
            () => ReadWatchedCountersAsync(http, countersPath),
            counters => counters.Count > 0,
            Patience,
            "the silo counters once the dashboard is open");
        var later = await Eventually.WaitForAsync(
            () => ReadWatchedCountersAsync(http, countersPath),
            counters => counters.Any(c => first.TryGetValue(c.Key, out var value) && value != c.Value),
            Patience,
            "a silo counter that changed since the first read");

        Assert.Equal(JsonValueKind.Array, unwatched.ValueKind);
        Assert.Equal(0, unwatched.GetArrayLength());
        Assert.Contains(first.Keys, name => name.StartsWith("orleans-", StringComparison.Ordinal));
        Assert.NotEmpty(later);
    }

    [Fact]
    public async Task WithDashboardAlwaysCollectTheSiloCountersAreCollectedWhileNobodyWatches()
    {
        await using var silo = await TestSilo.StartAsync(settings: new() { ["AlarmInbox:Silo:DashboardAlwaysCollect"] = "true" });
        await using var api = new ApiFactory(silo.GatewayPort);
        using var http = api.CreateClient();
        var countersPath = "/dashboard/SiloCounters/" + Uri.EscapeDataString(silo.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress.ToParsableString());

        // Only the silo's counter endpoint, which does not switch watching on: with the default (false) this stays empty.
        var counters = await Eventually.WaitForAsync(
            () => http.GetFromJsonAsync<JsonElement>(countersPath),
            c => c.GetArrayLength() > 0,
            Patience,
            "the silo counters without a dashboard open");

        Assert.Contains(counters.EnumerateArray(), c => c.GetProperty("name").GetString()!.StartsWith("orleans-", StringComparison.Ordinal));
    }

    private static async Task<Dictionary<string, string>> ReadWatchedCountersAsync(HttpClient http, string path)
    {
        // The dashboard page asks for its overview every second while it is open; so does this probe.
        (await http.GetAsync(new Uri("/dashboard/DashboardCounters", UriKind.Relative))).EnsureSuccessStatusCode();
        var counters = await http.GetFromJsonAsync<JsonElement>(path);
        return counters.EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("value").GetString()!, StringComparer.Ordinal);
    }
}
