using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Silo.Hosting;

/// <summary>
/// Feeds the Orleans Dashboard's silo counters only while someone watches (see <see cref="DashboardCollection"/>):
/// checks every <see cref="WatchCheck"/> whether the dashboard's profiler is on in this silo, and while it is, collects
/// the counters every <see cref="LiveInterval"/>, the dashboard's own rate.
/// </summary>
public sealed partial class DashboardCounterSampler(
    DashboardCollection? collection,
    IServiceProvider services,
    TimeProvider time,
    ILogger<DashboardCounterSampler> logger) : BackgroundService
{
    /// <summary>How often an unwatched silo checks whether a dashboard was opened: a newly opened dashboard shows the counters within this time.</summary>
    public static readonly TimeSpan WatchCheck = TimeSpan.FromSeconds(5);

    /// <summary>How often the counters are collected while a dashboard is open (the package's own period).</summary>
    public static readonly TimeSpan LiveInterval = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (collection is null)
        {
            LogNotBound(logger);
            return;
        }

        var watched = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = collection.IsWatched(services);
                if (now != watched)
                {
                    watched = now;
                    LogWatching(logger, watched);
                }

                // Before the silo is active the dashboard's meter provider does not exist yet: Flush answers false.
                if (watched)
                {
                    collection.Flush(services, (int)LiveInterval.TotalMilliseconds);
                }

                await Task.Delay(watched ? LiveInterval : WatchCheck, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the silo stops
        }
    }

    [LoggerMessage(EventId = 4151, Level = LogLevel.Warning, Message = "The installed Orleans Dashboard package lacks the internals for collecting its silo counters only while watched; it collects them every second as shipped")]
    private static partial void LogNotBound(ILogger logger);

    [LoggerMessage(EventId = 4150, Level = LogLevel.Debug, Message = "Orleans Dashboard watched: {Watched}; silo counters are collected only while it is")]
    private static partial void LogWatching(ILogger logger, bool watched);
}
