using AlarmInbox.Grains.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Brings the spool back by itself after a storage failure: while <see cref="StorageHealth"/> reports the spool as
/// failing, it writes a probe of the failed mail's size every <see cref="SmtpOptions.StorageProbeInterval"/> and, once
/// that succeeds, clears the problem (status, health and metric show it at once; SMTP answered 451 meanwhile).
/// </summary>
public sealed partial class SpoolStorageMonitor(
    ISpoolStore spool,
    StorageHealth health,
    TimeProvider time,
    IOptions<SmtpOptions> options,
    ILogger<SpoolStorageMonitor> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.Value.StorageProbeInterval, time, stoppingToken);
                if (health.ProbeSize(StorageHealth.Spool) is not { } bytes)
                {
                    continue;
                }

                try
                {
                    await spool.ProbeAsync(bytes, stoppingToken);
                    if (health.ReportSuccess(StorageHealth.Spool))
                    {
                        LogRecovered(logger, bytes);
                    }
                }
                catch (Exception ex) when (StorageHealth.IsStorageFailure(ex))
                {
                    health.ReportFailure(StorageHealth.Spool, ex, bytes);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "SMTP spool: a probe of {Bytes} bytes was written again; storage_unavailable cleared")]
    private static partial void LogRecovered(ILogger logger, long bytes);
}
