namespace AlarmInbox.Grains.Interfaces.Tenants;

/// <summary>An organisation (fire brigade, rescue service) and its mailboxes.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.TenantInfo")]
public sealed record TenantInfo
{
    /// <summary>The tenant id, e.g. <c>ff-musterdorf</c> (see <see cref="TenantValidator"/>).</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>The organisation's name, e.g. "Freiwillige Feuerwehr Musterdorf".</summary>
    [Id(1)] public required string Name { get; init; }

    /// <summary>When the tenant was created (UTC).</summary>
    [Id(2)] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The ids of its mailboxes, in creation order.</summary>
    [Id(3)] public IReadOnlyList<string> MailboxIds { get; init; } = [];
}
