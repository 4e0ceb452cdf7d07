using AlarmInbox.Silo.Smtp;

namespace AlarmInbox.Tests.Inbound;

/// <summary>Holds the first hand-off that got its UID until <see cref="Resume"/>, so a test can act in between (no sleeps).</summary>
public sealed class PausingHandOffObserver : ISpoolHandOffObserver
{
    private readonly TaskCompletionSource<string> _reserved = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the inbound address id once a hand-off got its UID (and now waits).</summary>
    public Task<string> Reserved => _reserved.Task;

    /// <summary>Lets the held hand-off (and every later one) go on.</summary>
    public void Resume() => _resume.TrySetResult();

    /// <inheritdoc />
    public Task OnHandOffAsync(string spoolId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task OnUidReservedAsync(string spoolId, string addressId, CancellationToken cancellationToken)
    {
        _reserved.TrySetResult(addressId);
        await _resume.Task.WaitAsync(cancellationToken);
    }
}
