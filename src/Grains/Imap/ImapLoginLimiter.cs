using System.Diagnostics;
using System.Threading.RateLimiting;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Imap;

/// <summary>
/// Caps the concurrent connection attempts and logins (TCP connect, TLS, greeting, LOGIN/AUTHENTICATE, EXAMINE) of
/// this silo per mail server host, so that a silo start or a fail-over with thousands of mailboxes does not storm one
/// server. Waiting polls are served in arrival order (first in, first out), so none starves. Open sessions are not
/// counted: only the expensive opening is. One instance per silo process.
/// </summary>
/// <remarks>
/// Built on <see cref="PartitionedRateLimiter"/> with one <see cref="ConcurrencyLimiter"/> per host
/// (<see cref="QueueProcessingOrder.OldestFirst"/>). The host name is compared case-insensitively.
/// </remarks>
public sealed class ImapLoginLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly int _permits;
    private readonly TimeSpan _queueTimeout;

    /// <summary>Creates the limiter from <see cref="ImapOptions.MaxConcurrentLoginsPerHost"/>, <see cref="ImapOptions.MaxQueuedLoginsPerHost"/> and <see cref="ImapOptions.LoginQueueTimeout"/>.</summary>
    public ImapLoginLimiter(IOptions<ImapOptions> options)
    {
        _permits = options.Value.MaxConcurrentLoginsPerHost;
        _queueTimeout = options.Value.LoginQueueTimeout;
        var queue = options.Value.MaxQueuedLoginsPerHost;
        _limiter = PartitionedRateLimiter.Create<string, string>(host => RateLimitPartition.GetConcurrencyLimiter(
            host.ToUpperInvariant(),
            _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = _permits,
                QueueLimit = queue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));
    }

    /// <summary>
    /// Waits for a turn to open a connection to <paramref name="host"/>, at most <see cref="ImapOptions.LoginQueueTimeout"/>.
    /// Dispose the returned lease once the session is open or opening failed.
    /// </summary>
    /// <param name="host">The mail server host name or address.</param>
    /// <param name="cancellationToken">Ends the wait (the caller's poll budget).</param>
    /// <returns>The lease that holds the turn.</returns>
    /// <exception cref="MailboxAccessException">
    /// Code <see cref="MailboxErrorCodes.ServerBusy"/>: the queue for this host is full, or no turn came within
    /// <see cref="ImapOptions.LoginQueueTimeout"/>.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<RateLimitLease> AcquireAsync(string host, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var queueTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        queueTimeout.CancelAfter(_queueTimeout);
        RateLimitLease lease;
        try
        {
            lease = await _limiter.AcquireAsync(host, 1, queueTimeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Busy(host, started, "no turn came");
        }

        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        throw Busy(host, started, "the queue behind them is full");
    }

    /// <summary>The current permits and queue of one host (for metrics and tests); <see langword="null"/> if it was never used.</summary>
    public RateLimiterStatistics? GetStatistics(string host) => _limiter.GetStatistics(host);

    private MailboxAccessException Busy(string host, long started, string what) => new(
        MailboxErrorCodes.ServerBusy,
        $"{_permits} connection attempts to {host} were already in progress and {what} "
        + $"(waited {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s); trying again shortly.");

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
