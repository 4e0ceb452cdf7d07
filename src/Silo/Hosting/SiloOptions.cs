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
}
