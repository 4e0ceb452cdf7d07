namespace AlarmInbox.Api.Cluster;

/// <summary>How the API finds the silos; section <c>AlarmInbox:Cluster</c>.</summary>
public sealed class ClusterClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Cluster";

    /// <summary>The gateway port of the local silo (embedded mode: localhost clustering).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The Orleans cluster id; must match the silos'.</summary>
    public string ClusterId { get; set; } = "alarminbox";

    /// <summary>The Orleans service id; must match the silos'.</summary>
    public string ServiceId { get; set; } = "alarminbox";
}
