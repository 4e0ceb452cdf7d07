using AlarmInbox.Grains.Interfaces.Inbound;

namespace AlarmInbox.Grains.Inbound;

/// <summary>Persistent state of <see cref="InboundAddressDirectoryGrain"/>.</summary>
[GenerateSerializer]
[Alias("alarminbox.InboundAddressDirectoryState")]
public sealed class InboundAddressDirectoryState
{
    /// <summary>Active tokens (lower-case) → route.</summary>
    [Id(0)] public Dictionary<string, InboundRoute> Tokens { get; set; } = [];

    /// <summary>Tenant id → address ids, oldest first.</summary>
    [Id(1)] public Dictionary<string, List<string>> Tenants { get; set; } = [];
}
