namespace AlarmInbox.Grains.Interfaces.Webhooks;

/// <summary>The delivery of one alarm revision to one webhook.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.WebhookDelivery")]
public sealed record WebhookDelivery
{
    /// <summary>The webhook.</summary>
    [Id(0)] public required string WebhookId { get; init; }

    /// <summary>The alarm.</summary>
    [Id(1)] public required string AlarmId { get; init; }

    /// <summary>The alarm revision delivered (1 = new, 2+ = updates).</summary>
    [Id(2)] public required int Revision { get; init; }

    /// <summary>The <c>Idempotency-Key</c> header sent with every attempt: <c>{alarmId}.{revision}</c>.</summary>
    [Id(3)] public required string IdempotencyKey { get; init; }

    /// <summary>The state.</summary>
    [Id(4)] public required WebhookDeliveryState State { get; init; }

    /// <summary>Attempts made so far.</summary>
    [Id(5)] public int Attempts { get; init; }

    /// <summary>When it was put into the outbox (UTC).</summary>
    [Id(6)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the last attempt was made (UTC), or <see langword="null"/>.</summary>
    [Id(7)] public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When the next attempt is due (UTC), for <see cref="WebhookDeliveryState.Pending"/>.</summary>
    [Id(8)] public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>When the receiver accepted it (UTC), for <see cref="WebhookDeliveryState.Delivered"/>.</summary>
    [Id(9)] public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>The HTTP status of the last attempt, or <see langword="null"/> when there was no answer.</summary>
    [Id(10)] public int? LastStatusCode { get; init; }

    /// <summary>Why the last attempt failed (status, timeout, connection error), or <see langword="null"/>.</summary>
    [Id(11)] public string? LastError { get; init; }
}
