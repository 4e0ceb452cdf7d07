using AlarmInbox.Silo.Smtp;

namespace AlarmInbox.Tests.Inbound;

/// <summary>Makes every hand-off fail while <see cref="Fail"/> is set, as a silo killed right after the 250 would: the mail is spooled but not handed to the grains.</summary>
public sealed class FailingHandOffObserver : ISpoolHandOffObserver
{
    private int _attempts;

    /// <summary>Whether hand-offs fail.</summary>
    public volatile bool Fail = true;

    /// <summary>How many hand-offs were attempted (and failed) so far.</summary>
    public int FailedAttempts => Volatile.Read(ref _attempts);

    /// <inheritdoc />
    public Task OnHandOffAsync(string spoolId, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            Interlocked.Increment(ref _attempts);
            throw new IOException("Simulated crash after the 250 reply.");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task OnUidReservedAsync(string spoolId, string addressId, CancellationToken cancellationToken) => Task.CompletedTask;
}
