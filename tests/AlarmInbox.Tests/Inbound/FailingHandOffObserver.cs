using System.Collections.Concurrent;
using System.Diagnostics;
using AlarmInbox.Silo.Smtp;

namespace AlarmInbox.Tests.Inbound;

/// <summary>
/// Makes every hand-off fail while <see cref="Fail"/> is set: by default with an <see cref="IOException"/>, as a silo
/// killed right after the 250 would (the mail is spooled but not handed to the grains, a storage failure), or with the
/// exception <paramref name="failure"/> makes (a mail that makes the pipeline throw every time).
/// </summary>
public sealed class FailingHandOffObserver(Func<Exception>? failure = null) : ISpoolHandOffObserver
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<(string SpoolId, TimeSpan At)> _failed = new();

    /// <summary>Whether hand-offs fail.</summary>
    public volatile bool Fail = true;

    /// <summary>How many hand-offs were attempted (and failed) so far.</summary>
    public int FailedAttempts => _failed.Count;

    /// <summary>When the failed hand-offs of <paramref name="spoolId"/> were attempted, on a clock started with this observer.</summary>
    public IReadOnlyList<TimeSpan> FailedAt(string spoolId) => [.. _failed.Where(f => f.SpoolId == spoolId).Select(f => f.At)];

    /// <inheritdoc />
    public Task OnHandOffAsync(string spoolId, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            _failed.Enqueue((spoolId, _clock.Elapsed));
            throw failure?.Invoke() ?? new IOException("Simulated crash after the 250 reply.");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task OnUidReservedAsync(string spoolId, string addressId, CancellationToken cancellationToken) => Task.CompletedTask;
}
