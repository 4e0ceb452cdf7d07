namespace AlarmInbox.Grains.Interfaces.Inbound;

/// <summary>
/// The answer of <see cref="IInboundAddressGrain.TryCreateAsync"/>: the created address, or why nothing was created —
/// invalid input (<see cref="FieldErrors"/>) or the tenant's limit of <see cref="InboundLimits.MaxAddressesPerTenant"/>
/// addresses (<see cref="LimitReached"/>), checked by the directory grain that owns the tenant's list, so two
/// concurrent creates cannot both pass it.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.InboundAddressCreateResult")]
public sealed record InboundAddressCreateResult
{
    /// <summary>The new address; <see langword="null"/> when nothing was created.</summary>
    [Id(0)] public InboundAddressInfo? Created { get; init; }

    /// <summary>Request field (JSON name) → messages, like a 400 validation problem; empty when the input was valid.</summary>
    [Id(1)] public IReadOnlyDictionary<string, string[]> FieldErrors { get; init; } = new Dictionary<string, string[]>();

    /// <summary>Whether the tenant has <see cref="InboundLimits.MaxAddressesPerTenant"/> addresses (revoked ones count) already.</summary>
    [Id(2)] public bool LimitReached { get; init; }
}
