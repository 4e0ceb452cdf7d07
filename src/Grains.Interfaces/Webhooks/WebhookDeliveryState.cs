namespace AlarmInbox.Grains.Interfaces.Webhooks;

/// <summary>Where one delivery stands.</summary>
[GenerateSerializer]
[Alias("alarminbox.WebhookDeliveryState")]
public enum WebhookDeliveryState
{
    /// <summary>Not yet accepted; the next attempt is at <see cref="WebhookDelivery.NextAttemptAt"/>.</summary>
    Pending = 0,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered = 1,

    /// <summary>Given up after the maximum number of attempts; see <see cref="WebhookDelivery.LastError"/>.</summary>
    DeadLetter = 2,

    /// <summary>Not sent: a later revision of the same alarm was queued while this one waited (only with <c>AlarmInbox:Webhooks:SupersedeOlderRevisions</c>).</summary>
    Superseded = 3,
}
