namespace AlarmInbox.Grains.Mailboxes;

/// <summary>The points of a poll between its durable writes, in order.</summary>
public enum PollStep
{
    /// <summary>A batch of new messages has been written; the watermark not yet.</summary>
    MessagesStored,

    /// <summary>The watermark has been advanced past the batch.</summary>
    WatermarkStored,
}
