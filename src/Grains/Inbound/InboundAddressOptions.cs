namespace AlarmInbox.Grains.Inbound;

/// <summary>Inbound address settings the grains need; section <c>AlarmInbox:Smtp</c> (shared with the listener's options).</summary>
public sealed class InboundAddressOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Smtp";

    /// <summary>The domain of the inbound addresses (<c>&lt;token&gt;@Domain</c>); its MX record must point at the silos.</summary>
    public string Domain { get; set; } = "alarm.localhost";

    /// <summary>How long a silo caches a resolved token; a revocation reaches the other silos within this time (the local one at once).</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many resolved tokens a silo caches at most (one entry each, a few hundred bytes); beyond it the cache evicts entries and lookups go to the directory grain.</summary>
    public int CacheMaxEntries { get; set; } = 10_000;
}
