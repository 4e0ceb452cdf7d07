using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Alarms;

/// <summary>A real silo with fast webhook retries (200 ms initial backoff), shared by the alarm pipeline tests; tests use fresh tenants.</summary>
public sealed class AlarmSiloFixture : IAsyncLifetime
{
    /// <summary>Settings for silos in alarm tests: retries after 200 ms, 400 ms, … (at most 1 s), 2 s per attempt.</summary>
    public static Dictionary<string, string?> FastRetries => new()
    {
        ["AlarmInbox:Webhooks:InitialBackoff"] = "00:00:00.200",
        ["AlarmInbox:Webhooks:MaxBackoff"] = "00:00:01",
        ["AlarmInbox:Webhooks:AttemptTimeout"] = "00:00:02",
    };

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; private set; } = null!;

    /// <summary>Creates a tenant with a fresh id and the corpus settings; returns its id.</summary>
    public static async Task<string> CreateTenantAsync(IGrainFactory grains, EvaluationSettings? settings = null)
    {
        var tenantId = "t-" + Guid.NewGuid().ToString("N")[..12];
        await grains.GetGrain<ITenantGrain>(tenantId).CreateAsync("Feuerwehr Test");
        await grains.GetGrain<ITenantAlarmsGrain>(tenantId).SetSettingsAsync(settings ?? AlarmEvaluatorTests.CorpusSettings);
        return tenantId;
    }

    /// <inheritdoc />
    public async Task InitializeAsync() => Silo = await TestSilo.StartAsync(settings: FastRetries);

    /// <inheritdoc />
    public async Task DisposeAsync() => await Silo.DisposeAsync();
}
