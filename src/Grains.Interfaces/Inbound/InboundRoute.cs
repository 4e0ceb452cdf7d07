namespace AlarmInbox.Grains.Interfaces.Inbound;

/// <summary>Where mail to an inbound address goes: the tenant and the inbound address (its grain key).</summary>
/// <param name="TenantId">The tenant that owns the address.</param>
/// <param name="AddressId">The inbound address id (<c>inb-…</c>).</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.InboundRoute")]
public sealed record InboundRoute([property: Id(0)] string TenantId, [property: Id(1)] string AddressId);
