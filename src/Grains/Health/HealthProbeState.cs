namespace AlarmInbox.Grains.Health;

/// <summary>The state of <see cref="HealthProbeGrain"/>; never written, only read.</summary>
[GenerateSerializer]
[Alias("alarminbox.HealthProbeState")]
public sealed class HealthProbeState
{
    [Id(0)] public bool Unused { get; set; }
}
