namespace AlarmInbox.Grains.Interfaces.Webhooks;

/// <summary>A webhook without its secret.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.WebhookInfo")]
public sealed record WebhookInfo
{
    /// <summary>The webhook id (<c>whk-…</c>).</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>See <see cref="WebhookSettings.Name"/>.</summary>
    [Id(1)] public required string Name { get; init; }

    /// <summary>See <see cref="WebhookSettings.Url"/>.</summary>
    [Id(2)] public required string Url { get; init; }

    /// <summary>Whether a secret is stored (it is never returned).</summary>
    [Id(3)] public required bool HasSecret { get; init; }

    /// <summary>See <see cref="WebhookSettings.Enabled"/>.</summary>
    [Id(4)] public required bool Enabled { get; init; }

    /// <summary>When it was created (UTC).</summary>
    [Id(5)] public required DateTimeOffset CreatedAt { get; init; }
}
