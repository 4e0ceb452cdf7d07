using AlarmInbox.Grains;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace AlarmInbox.Tests.Alarms;

/// <summary>
/// <c>Auto</c> is the default keyword source of new tenants; a tenant whose settings were stored before <c>Auto</c>
/// existed keeps what it stored (<c>Subject</c>, the old default). The old row is written through the silo's real
/// grain storage (SQLite, the System.Text.Json storage serializer) in the shape the previous version stored.
/// </summary>
public sealed class KeywordSourceMigrationTests(AlarmSiloFixture fixture) : IClassFixture<AlarmSiloFixture>
{
    [Fact]
    public async Task StoredSettingsOfAnExistingTenantKeepSubjectWhileANewTenantGetsAuto()
    {
        var oldTenant = "t-" + Guid.NewGuid().ToString("N")[..12];
        var newTenant = "t-" + Guid.NewGuid().ToString("N")[..12];
        var storage = fixture.Silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var previous = new GrainState<PreviousTenantAlarmsState>(new PreviousTenantAlarmsState
        {
            Settings = new PreviousEvaluationSettings { AllowedSenders = ["ils-musterland.example"], KeywordSource = 0 },
            ProcessedKeys = ["mbx-alt/7/1"],
        });

        // Stored before the pipeline's first activation, as an upgrade finds it (creating a tenant activates its pipeline).
        await storage.WriteStateAsync("tenant-alarms", GrainId.Create("tenant-alarms", oldTenant), previous);
        await fixture.Silo.Grains.GetGrain<ITenantGrain>(oldTenant).CreateAsync("Feuerwehr Alt");
        await fixture.Silo.Grains.GetGrain<ITenantGrain>(newTenant).CreateAsync("Feuerwehr Neu");

        var kept = await fixture.Silo.Grains.GetGrain<ITenantAlarmsGrain>(oldTenant).GetSettingsAsync();
        var fresh = await fixture.Silo.Grains.GetGrain<ITenantAlarmsGrain>(newTenant).GetSettingsAsync();

        Assert.Equal(KeywordSource.Subject, kept.KeywordSource);
        Assert.Equal(["ils-musterland.example"], kept.AllowedSenders);
        Assert.Equal(KeywordSource.Auto, fresh.KeywordSource);
    }

    [Fact]
    public async Task SubjectSurvivesTheWireAndTheStoreAlthoughItIsTheEnumsZero()
    {
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(fixture.Silo.Grains, AlarmEvaluatorTests.CorpusSettings with { KeywordSource = KeywordSource.Subject });

        await fixture.Silo.RestartAsync();
        var settings = await fixture.Silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId).GetSettingsAsync();

        Assert.Equal(KeywordSource.Subject, settings.KeywordSource);
    }

    /// <summary>The persisted tenant-alarms state as the previous version stored it (no recognition keys).</summary>
    private sealed class PreviousTenantAlarmsState
    {
        public PreviousEvaluationSettings Settings { get; set; } = new();

        public Dictionary<string, object> MailboxOverrides { get; set; } = [];

        public List<object> Alarms { get; set; } = [];

        public List<string> ProcessedKeys { get; set; } = [];

        public List<object> PendingHandoff { get; set; } = [];
    }

    /// <summary>The previous version's evaluation settings (keyword source 0 = Subject was the default).</summary>
    private sealed class PreviousEvaluationSettings
    {
        public bool Enabled { get; set; } = true;

        public List<string> AllowedSenders { get; set; } = [];

        public int KeywordSource { get; set; }

        public string KeywordLabel { get; set; } = "Stichwort";

        public List<string> Labels { get; set; } = [];

        public List<object> Rules { get; set; } = [];

        public bool TestMode { get; set; }

        public int IncidentMergeWindowMinutes { get; set; } = 30;

        public int LateAfterMinutes { get; set; } = 10;

        public bool MatchForwardedSender { get; set; } = true;
    }
}
