namespace AlarmInbox.Silo.Hosting;

/// <summary>Network identity of the silo; section <c>AlarmInbox:Silo</c>.</summary>
public sealed class SiloOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Silo";

    /// <summary>Port for silo-to-silo traffic.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port that clients (the API) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Cluster mode: the IP address other silos and the API use to reach this silo, as written to the membership table.
    /// Empty: the host's first address. Set <c>127.0.0.1</c> for a cluster on one machine.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>The Orleans cluster id; silos and clients of one deployment share it.</summary>
    public string ClusterId { get; set; } = "alarminbox";

    /// <summary>The Orleans service id; part of every stored row's key, so it must never change for a deployment.</summary>
    public string ServiceId { get; set; } = "alarminbox";

    /// <summary>
    /// How often the silo samples its runtime statistics (activations, CPU, memory) for the Orleans Dashboard's silo
    /// page (at least 1 s). This sampling runs whether or not anyone watches; every 10 s keeps an empty silo quiet
    /// (measured in docs/benchmarks.md, "Idle cost").
    /// </summary>
    public TimeSpan DashboardSampleInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// False (the default): the silo reads its Orleans counters for the dashboard (the silo page's counter table) only
    /// while an Orleans Dashboard is open, once a second, and not at all otherwise. True: once a second whether or not
    /// anyone watches, as the dashboard package does by itself (measured in docs/benchmarks.md, "Idle cost").
    /// </summary>
    public bool DashboardAlwaysCollect { get; set; }

    /// <summary>
    /// Queues of the in-memory alarm stream. Each is polled every 100 ms even when nothing is published; alarms are a
    /// few per minute, so one queue carries them all (Orleans' default is 8).
    /// </summary>
    public int AlarmStreamQueues { get; set; } = 1;
}
