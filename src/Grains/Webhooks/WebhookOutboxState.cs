using System.Text.Json.Serialization;
using AlarmInbox.Grains.Interfaces.Webhooks;

namespace AlarmInbox.Grains.Webhooks;

/// <summary>The persisted webhooks of a tenant (state name <c>webhook-outbox</c>); the deliveries live in <see cref="IWebhookDeliveryStore"/>.</summary>
[GenerateSerializer]
[Alias("alarminbox.WebhookOutboxState")]
public sealed class WebhookOutboxState
{
    /// <summary>The webhooks, in creation order.</summary>
    [Id(0)] public List<WebhookEntry> Webhooks { get; set; } = [];

    /// <summary>Legacy (moved to <see cref="IWebhookDeliveryStore"/> at activation): the deliveries the release before kept here.</summary>
    [Id(1)] public List<OutboxEntry> Deliveries { get; set; } = [];
}

/// <summary>A stored webhook; the secret only encrypted.</summary>
[GenerateSerializer]
[Alias("alarminbox.WebhookEntry")]
public sealed class WebhookEntry
{
    [Id(0)] public string Id { get; set; } = "";

    [Id(1)] public string Name { get; set; } = "";

    [Id(2)] public string Url { get; set; } = "";

    /// <summary>The secret, encrypted with <see cref="Secrets.ISecretProtector"/>.</summary>
    [Id(3)] public string ProtectedSecret { get; set; } = "";

    [Id(4)] public bool Enabled { get; set; } = true;

    [Id(5)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The readable form, without the secret.</summary>
    public WebhookInfo ToInfo() => new() { Id = Id, Name = Name, Url = Url, HasSecret = ProtectedSecret.Length > 0, Enabled = Enabled, CreatedAt = CreatedAt };
}

/// <summary>One delivery of an alarm revision to a webhook, with its exact body.</summary>
[GenerateSerializer]
[Alias("alarminbox.OutboxEntry")]
public sealed class OutboxEntry
{
    [Id(0)] public string WebhookId { get; set; } = "";

    [Id(1)] public string AlarmId { get; set; } = "";

    [Id(2)] public int Revision { get; set; }

    [Id(3)] public string IdempotencyKey { get; set; } = "";

    [Id(4)] public string EventName { get; set; } = "";

    /// <summary>The JSON body, signed and sent byte for byte the same on every attempt.</summary>
    [Id(5)] public byte[] Body { get; set; } = [];

    [Id(6)] public WebhookDeliveryState State { get; set; }

    [Id(7)] public int Attempts { get; set; }

    [Id(8)] public DateTimeOffset CreatedAt { get; set; }

    [Id(9)] public DateTimeOffset? LastAttemptAt { get; set; }

    [Id(10)] public DateTimeOffset? NextAttemptAt { get; set; }

    [Id(11)] public DateTimeOffset? DeliveredAt { get; set; }

    [Id(12)] public int? LastStatusCode { get; set; }

    [Id(13)] public string? LastError { get; set; }

    [NonSerialized]
    private WebhookDeliveryState? _storedState;

    [NonSerialized]
    private int _storedAttempts;

    /// <summary>
    /// The row's <see cref="State"/> as this activation last read or wrote it in <see cref="IWebhookDeliveryStore"/>
    /// (<see langword="null"/>: not known, the update is not fenced). <see cref="IWebhookDeliveryStore.UpdateAsync"/>
    /// writes a row only while it still holds this state and <see cref="StoredAttempts"/>, so that a stale activation
    /// (a silo frozen and thawed after another took over) cannot set a delivered row back. Memory only, never serialized.
    /// </summary>
    [JsonIgnore]
    public WebhookDeliveryState? StoredState => _storedState;

    /// <summary>The row's <see cref="Attempts"/> as this activation last read or wrote it; see <see cref="StoredState"/>.</summary>
    [JsonIgnore]
    public int StoredAttempts => _storedAttempts;

    /// <summary>Records that the row now holds this entry's state and attempts (after a read or a write of it).</summary>
    public void MarkStored()
    {
        _storedState = State;
        _storedAttempts = Attempts;
    }

    /// <summary>The readable form, without the body.</summary>
    public WebhookDelivery ToDelivery() => new()
    {
        WebhookId = WebhookId,
        AlarmId = AlarmId,
        Revision = Revision,
        IdempotencyKey = IdempotencyKey,
        State = State,
        Attempts = Attempts,
        CreatedAt = CreatedAt,
        LastAttemptAt = LastAttemptAt,
        NextAttemptAt = State == WebhookDeliveryState.Pending ? NextAttemptAt : null,
        DeliveredAt = DeliveredAt,
        LastStatusCode = LastStatusCode,
        LastError = LastError,
    };
}
