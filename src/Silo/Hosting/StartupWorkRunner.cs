using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Silo.Hosting;

/// <summary>
/// Runs the silo's resume work (activating mailboxes and webhook outboxes after a start) in the background with bounded,
/// growing retries, so that a start right after a database outage, or a silo declared dead while it starts, cannot
/// fail the start-up (an exception of an Orleans start-up task aborts the silo and the process). Work that still fails
/// after the last attempt is left to the reminders, which resume mailboxes and outboxes in any case.
/// </summary>
public sealed partial class StartupWorkRunner(IHostApplicationLifetime lifetime, TimeProvider time, ILogger<StartupWorkRunner> logger)
{
    /// <summary>How many attempts are made (the waits between them grow from 1 s to 30 s: about 4 minutes in all).</summary>
    public const int MaxAttempts = 12;

    /// <summary>Starts <paramref name="work"/> in the background and returns at once; never throws.</summary>
    /// <param name="name">What the work is, for the log.</param>
    /// <param name="work">The work; gets a token that is cancelled when the silo stops.</param>
    public void Start(string name, Func<CancellationToken, Task> work) => _ = RunAsync(name, work, lifetime.ApplicationStopping);

    private async Task RunAsync(string name, Func<CancellationToken, Task> work, CancellationToken stopping)
    {
        // Let the start-up finish first: the work makes grain calls that need an active silo.
        await Task.Yield();
        var wait = TimeSpan.FromSeconds(1);
        for (var attempt = 1; attempt <= MaxAttempts && !stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                await work(stopping);
                if (attempt > 1)
                {
                    LogSucceededAfterRetry(logger, name, attempt);
                }

                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Storage failing, the silo being declared dead, no silo for a grain: all are expected around a start.
                LogAttemptFailed(logger, name, attempt, MaxAttempts, ex.GetType().Name);
            }

            try
            {
                await Task.Delay(wait, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            wait = TimeSpan.FromSeconds(Math.Min(wait.TotalSeconds * 2, 30));
        }

        if (!stopping.IsCancellationRequested)
        {
            LogGaveUp(logger, name, MaxAttempts);
        }
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Start-up work '{Name}' failed (attempt {Attempt} of {MaxAttempts}, {ExceptionType}); the silo keeps running and tries again")]
    private static partial void LogAttemptFailed(ILogger logger, string name, int attempt, int maxAttempts, string exceptionType);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "Start-up work '{Name}' succeeded at attempt {Attempt}")]
    private static partial void LogSucceededAfterRetry(ILogger logger, string name, int attempt);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Error, Message = "Start-up work '{Name}' failed {MaxAttempts} times; left to the reminders")]
    private static partial void LogGaveUp(ILogger logger, string name, int maxAttempts);
}
