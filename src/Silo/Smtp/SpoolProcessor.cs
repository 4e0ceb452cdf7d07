using AlarmInbox.Grains.Health;
using AlarmInbox.Grains.Inbound;
using AlarmInbox.Grains.Ingestion;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Hands spooled mails to the one ingestion path (<see cref="MailIngestion"/>: decode, recognise, evaluate, store) for each
/// inbound address they were sent to, and removes each spool entry
/// only after every address has it. Entries left from before a restart (and, in cluster mode, those of silos that are
/// gone) are queued at start, before the listener accepts anything. A hand-off that failed because storage failed is
/// retried every <see cref="SmtpOptions.RetryInterval"/> for as long as that lasts; any other failure is counted with the
/// mail, the wait doubles with each (<see cref="ExponentialBackoff"/>, up to <see cref="SmtpOptions.RetryBackoffCap"/>), and
/// after <see cref="SmtpOptions.MaxHandOffAttempts"/> of them the mail is parked (moved aside with its raw message, logged
/// and counted in <see cref="SmtpMetrics"/>), so that a mail that fails every time is neither retried for ever nor lost. The <see cref="SmtpOptions.HandOffWorkers"/> workers serve the tenants in turn (<see cref="TenantFairQueue"/>), at most
/// <see cref="SmtpOptions.HandOffsPerTenant"/> mails of one tenant at a time, so one tenant's slow mails cannot hold them all.
/// </summary>
public sealed partial class SpoolProcessor(
    ISpoolStore spool,
    MailIngestion ingestion,
    IGrainFactory grains,
    ISpoolHandOffObserver observer,
    StorageHealth health,
    SmtpMetrics metrics,
    TimeProvider time,
    IOptions<SmtpOptions> options,
    ILogger<SpoolProcessor> logger) : BackgroundService
{
    private readonly TenantFairQueue _queue = new(options.Value.HandOffsPerTenant);

    private ExponentialBackoff Backoff => new()
    {
        Initial = options.Value.RetryInterval,
        Cap = options.Value.RetryBackoffCap,
        JitterMin = 0.8,
        JitterMax = 1.2,
    };

    /// <summary>Queues a spooled mail for hand-off in the turn of its (first) tenant.</summary>
    public void Enqueue(string spoolId, string tenantId) => _queue.Enqueue(tenantId, spoolId);

    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var leftover = await spool.TakeOverAsync(cancellationToken);
            foreach (var entry in leftover)
            {
                // A cut-short file has no tenant; its hand-off moves it to broken/.
                Enqueue(entry.Id, entry.TenantId);
            }

            if (leftover.Count > 0)
            {
                LogResuming(logger, leftover.Count);
            }
        }
        catch (Exception ex) when (StorageHealth.IsStorageFailure(ex))
        {
            // The cluster database does not answer: its mails are claimed by the lease service's next look.
            LogHandOffFailed(logger, "(start)", ex.GetType().Name);
        }

        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.HandOffWorkers).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var (tenantId, id) = await _queue.DequeueAsync(stoppingToken);
                try
                {
                    if (await HandOffAsync(id, stoppingToken) is { } failure)
                    {
                        await FailedAsync(id, tenantId, failure, stoppingToken);
                    }
                }
                finally
                {
                    _queue.Complete(tenantId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: whatever is left stays in the spool for the next start.
        }
    }

    /// <summary>
    /// Counts a failure that was not a storage failure with the mail and parks the mail at <see cref="SmtpOptions.MaxHandOffAttempts"/>;
    /// otherwise schedules the next attempt: after <see cref="SmtpOptions.RetryInterval"/> doubled for each counted failure, or
    /// after the plain interval when storage failed (that says nothing about the mail, and the mail should go as soon as storage is back).
    /// </summary>
    private async Task FailedAsync(string id, string tenantId, Exception failure, CancellationToken stoppingToken)
    {
        var counted = 0;
        if (!StorageHealth.IsStorageFailure(failure))
        {
            try
            {
                counted = await spool.CountFailureAsync(id, stoppingToken);
                if (counted >= options.Value.MaxHandOffAttempts)
                {
                    var where = await spool.ParkAsync(id, stoppingToken);
                    metrics.Parked();
                    LogParked(logger, id, tenantId, counted, failure.GetType().Name, where);
                    return;
                }
            }
            catch (Exception ex) when (StorageHealth.IsStorageFailure(ex))
            {
                // Not counted this time; the mail stays in the spool and is tried again after the plain interval.
                LogCountFailed(logger, id, ex.GetType().Name);
            }
        }

        var delay = counted > 0 ? Backoff.Delay(counted, Random.Shared.NextDouble()) : options.Value.RetryInterval;
        LogRetryScheduled(logger, id, counted, delay);
        _ = RetryLaterAsync(id, tenantId, delay, stoppingToken);
    }

    private async Task RetryLaterAsync(string id, string tenantId, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
            Enqueue(id, tenantId);
        }
        catch (OperationCanceledException)
        {
            // Shutdown: the entry is picked up at the next start.
        }
    }

    /// <returns><see langword="null"/> when the mail is handed off (or gone), else what made the hand-off fail.</returns>
    private async Task<Exception?> HandOffAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var mail = await spool.ReadAsync(id, cancellationToken);
            if (mail is null)
            {
                return null;
            }

            await observer.OnHandOffAsync(id, cancellationToken);
            var envelope = mail.Envelope;
            foreach (var route in envelope.Routes)
            {
                // The UID first (persisted, the same on every retry), then the one ingestion path: decode, recognise, evaluate, store.
                var uid = await grains.GetGrain<IInboundAddressGrain>(route.AddressId).ReserveUidAsync(id);
                if (uid == 0)
                {
                    // The address was deleted with its tenant after the 250: nobody to alarm, the mail is dropped.
                    continue;
                }

                await observer.OnUidReservedAsync(id, route.AddressId, cancellationToken);
                var raw = new RawMail
                {
                    UidValidity = InboundAddressGrain.UidValidity,
                    Uid = uid,
                    Raw = mail.Raw,
                    ReceivedAt = envelope.ReceivedAt,
                    EnvelopeFrom = envelope.From,
                    EnvelopeTo = envelope.Recipients,
                };
                var result = await ingestion.IngestAsync(
                    new IngestionRequest { TenantId = route.TenantId, Path = new MailPath(MailPathKind.Smtp, route.AddressId), Mails = [raw] },
                    cancellationToken);
                LogHandedOff(logger, id, route.TenantId, route.AddressId, result.Added > 0);
            }

            await spool.DeleteAsync(id, cancellationToken);
            if (health.ReportSuccess(StorageHealth.GrainStorage))
            {
                LogGrainStorageRecovered(logger, id);
            }

            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure (silo shutting down, storage error, the test hook) leaves the mail in the spool.
            LogHandOffFailed(logger, id, ex.GetType().Name);
            if (StorageHealth.IsStorageFailure(ex))
            {
                health.ReportFailure(StorageHealth.GrainStorage, ex);
            }

            return ex;
        }
    }

    [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "SMTP spool: {Count} mails left from before the start are handed off again")]
    private static partial void LogResuming(ILogger logger, int count);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Debug, Message = "SMTP spool: {SpoolId} handed to tenant {TenantId} address {AddressId} (new: {IsNew})")]
    private static partial void LogHandedOff(ILogger logger, string spoolId, string tenantId, string addressId, bool isNew);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Warning, Message = "SMTP spool: hand-off of {SpoolId} failed ({ExceptionType}); it stays in the spool and is retried")]
    private static partial void LogHandOffFailed(ILogger logger, string spoolId, string exceptionType);

    [LoggerMessage(EventId = 4390, Level = LogLevel.Error, Message = "SMTP spool: {SpoolId} of tenant {TenantId} failed its hand-off {Failures} times, last with {ExceptionType}; parked with its raw mail at {Where} and not tried again")]
    private static partial void LogParked(ILogger logger, string spoolId, string tenantId, int failures, string exceptionType, string where);

    [LoggerMessage(EventId = 4391, Level = LogLevel.Warning, Message = "SMTP spool: the failed hand-off of {SpoolId} could not be counted ({ExceptionType})")]
    private static partial void LogCountFailed(ILogger logger, string spoolId, string exceptionType);

    [LoggerMessage(EventId = 4392, Level = LogLevel.Debug, Message = "SMTP spool: {SpoolId} is tried again in {Delay} ({Failures} failed hand-offs counted)")]
    private static partial void LogRetryScheduled(ILogger logger, string spoolId, int failures, TimeSpan delay);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "SMTP spool: {SpoolId} handed off; grain storage works again, storage_unavailable cleared")]
    private static partial void LogGrainStorageRecovered(ILogger logger, string spoolId);
}
