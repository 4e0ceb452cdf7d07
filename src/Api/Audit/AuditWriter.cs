using System.Threading.Channels;
using AlarmInbox.Api.Errors;
using AlarmInbox.Api.Telemetry;
using AlarmInbox.Grains.Interfaces.Security;

namespace AlarmInbox.Api.Audit;

/// <summary>
/// Writes audit entries to the audit log grain in the background, in batches, and retries a batch until it is stored:
/// a silo that does not answer for a while delays entries instead of losing them. Entries wait in memory (at most
/// <see cref="Capacity"/>; beyond that, and only then, one is lost, counted in <c>alarminbox.api.audit.lost</c> and logged).
/// Remaining entries are written at shutdown while the host allows.
/// </summary>
public sealed partial class AuditWriter(IGrainFactory grains, ApiMetrics metrics, ILogger<AuditWriter> logger) : BackgroundService
{
    /// <summary>How many entries may wait for the silo.</summary>
    public const int Capacity = 100_000;

    private const int BatchSize = 200;

    private readonly Channel<AuditEntry> _queue = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    /// <summary>Queues an entry; returns at once.</summary>
    public void Enqueue(AuditEntry entry)
    {
        if (!_queue.Writer.TryWrite(entry))
        {
            metrics.AuditLost();
            LogLost(logger, entry.Method, entry.Route, entry.Status);
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEntry>(BatchSize);
        var delay = TimeSpan.FromMilliseconds(200);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            try
            {
                await grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.Key).AppendAsync(batch);
                batch.Clear();
                delay = TimeSpan.FromMilliseconds(200);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || ClusterUnavailableExceptionHandler.IsClusterUnavailable(ex))
            {
                LogRetry(logger, batch.Count, ex.GetType().Name, delay.TotalMilliseconds);
                if (stoppingToken.IsCancellationRequested)
                {
                    // Shutting down and the silo does not answer: what is left cannot be written by this process.
                    LogAbandoned(logger, batch.Count + _queue.Reader.Count);
                    return;
                }

                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    // Shutdown: one more attempt happens in the next round.
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    [LoggerMessage(EventId = 3240, Level = LogLevel.Warning, Message = "Audit: storing {Count} entries failed ({ExceptionType}); retrying in {DelayMs:0} ms")]
    private static partial void LogRetry(ILogger logger, int count, string exceptionType, double delayMs);

    [LoggerMessage(EventId = 3241, Level = LogLevel.Error, Message = "Audit entry lost (queue full while no silo answers): {Method} {Route} -> {Status}")]
    private static partial void LogLost(ILogger logger, string method, string route, int status);

    [LoggerMessage(EventId = 3242, Level = LogLevel.Error, Message = "Audit: {Count} entries not stored at shutdown (no silo answered)")]
    private static partial void LogAbandoned(ILogger logger, int count);
}
