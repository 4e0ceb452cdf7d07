namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>
/// The Orleans stream on which delivered alarms (status <see cref="AlarmStatus.New"/> and <see cref="AlarmStatus.Updated"/>,
/// each revision once) are published for consumers inside the cluster: provider <see cref="ProviderName"/>, namespace
/// <see cref="Namespace"/>, key = tenant id, item <see cref="AlarmRecord"/>. Memory streams: best effort, not durable;
/// durable delivery is the webhook outbox.
/// </summary>
public static class AlarmStreams
{
    /// <summary>The stream provider name.</summary>
    public const string ProviderName = "alarms";

    /// <summary>The stream namespace.</summary>
    public const string Namespace = "alarms";
}
