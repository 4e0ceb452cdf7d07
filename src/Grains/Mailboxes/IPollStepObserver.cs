namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// Called after each durable write of a poll. Production registers <see cref="NoPollStepObserver"/>; tests register one
/// that crashes the silo at a chosen <see cref="PollStep"/> to prove that no crash point loses or duplicates a mail.
/// </summary>
public interface IPollStepObserver
{
    /// <summary>Called after <paramref name="step"/> was written for <paramref name="mailboxId"/>.</summary>
    ValueTask OnStepAsync(string mailboxId, PollStep step);
}

/// <summary>Does nothing.</summary>
public sealed class NoPollStepObserver : IPollStepObserver
{
    /// <inheritdoc />
    public ValueTask OnStepAsync(string mailboxId, PollStep step) => ValueTask.CompletedTask;
}
