namespace AlarmInbox.Api.Cluster;

/// <summary>How the API finds the silos; section <c>AlarmInbox:Cluster</c>.</summary>
public sealed class ClusterClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Cluster";

    /// <summary>
    /// How gateways are found: <c>Localhost</c> (default; the embedded silo on <see cref="GatewayPort"/>), or
    /// <c>PostgreSql</c> / <c>SqlServer</c> (cluster mode: every active silo listed in the membership table of the
    /// database named by <see cref="ConnectionString"/>).
    /// </summary>
    public string Provider { get; set; } = "Localhost";

    /// <summary>Cluster mode: the connection string of the silos' database (read access to the membership table is enough). Never logged.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The gateway port of the local silo (embedded mode: localhost clustering).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The Orleans cluster id; must match the silos'.</summary>
    public string ClusterId { get; set; } = "alarminbox";

    /// <summary>
    /// How long the API waits for a grain to answer before it gives up with 503 and <c>Retry-After</c> (a frozen or
    /// partitioned silo). 5 s by default; methods that talk to a mail server have their own, longer timeout (60 s).
    /// </summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The Orleans service id; must match the silos'.</summary>
    public string ServiceId { get; set; } = "alarminbox";
}
