namespace AlarmInbox.Grains.Interfaces.Inbound;

/// <summary>An inbound address of a tenant with its status and counters.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.InboundAddressInfo")]
public sealed record InboundAddressInfo
{
    /// <summary>The address id (<c>inb-…</c>), stable across rotations.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>The owning tenant.</summary>
    [Id(1)] public required string TenantId { get; init; }

    /// <summary>The full address, <c>&lt;token&gt;@&lt;AlarmInbox:Smtp:Domain&gt;</c>; the token changes on rotation.</summary>
    [Id(2)] public required string Address { get; init; }

    /// <summary>A free-text note (e.g. "Leitstelle" or "Outlook rule"), at most <see cref="InboundLimits.MaxDescriptionLength"/> characters.</summary>
    [Id(3)] public string? Description { get; init; }

    /// <summary>Active or revoked.</summary>
    [Id(4)] public InboundAddressState State { get; init; }

    /// <summary>When the address was created (UTC).</summary>
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the token was last rotated (UTC), or <see langword="null"/>.</summary>
    [Id(6)] public DateTimeOffset? RotatedAt { get; init; }

    /// <summary>When the address was revoked (UTC), or <see langword="null"/>.</summary>
    [Id(7)] public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When the last mail was accepted for the address (UTC), or <see langword="null"/>.</summary>
    [Id(8)] public DateTimeOffset? LastReceivedAt { get; init; }

    /// <summary>How many mails were accepted (answered 250 and stored) for the address.</summary>
    [Id(9)] public long AcceptedCount { get; init; }

    /// <summary>How many SMTP transactions to the address were refused after RCPT TO (too many recipients, spool failure).</summary>
    [Id(10)] public long RejectedCount { get; init; }

    /// <summary>When the last refusal happened (UTC), or <see langword="null"/>.</summary>
    [Id(11)] public DateTimeOffset? LastRejectedAt { get; init; }
}
