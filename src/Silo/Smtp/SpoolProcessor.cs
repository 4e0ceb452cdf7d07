using AlarmInbox.Grains.Health;
using AlarmInbox.Grains.Inbound;
using AlarmInbox.Grains.Ingestion;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Ingestion;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Hands spooled mails to the one ingestion path (<see cref="MailIngestion"/>: decode, recognise, evaluate, store) for each
/// inbound address they were sent to, and removes each spool entry
/// only after every address has it. Entries left from before a restart (and, in cluster mode, those of silos that are
/// gone) are queued at start, before the listener accepts anything; a failed hand-off is retried after
/// <see cref="SmtpOptions.RetryInterval"/>, for as long as it takes.
/// The <see cref="SmtpOptions.HandOffWorkers"/> workers serve the tenants in turn (<see cref="TenantFairQueue"/>), at most
/// <see cref="SmtpOptions.HandOffsPerTenant"/> mails of one tenant at a time, so one tenant's slow mails cannot hold them all.
/// </summary>
public sealed partial class SpoolProcessor(
    ISpoolStore spool,
    MailIngestion ingestion,
    IGrainFactory grains,
    ISpoolHandOffObserver observer,
    StorageHealth health,
    TimeProvider time,
    IOptions<SmtpOptions> options,
    ILogger<SpoolProcessor> logger) : BackgroundService
{
    private readonly TenantFairQueue _queue = new(options.Value.HandOffsPerTenant);

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
                    if (!await HandOffAsync(id, stoppingToken))
                    {
                        _ = RetryLaterAsync(id, tenantId, stoppingToken);
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

    private async Task RetryLaterAsync(string id, string tenantId, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.Value.RetryInterval, time, stoppingToken);
            Enqueue(id, tenantId);
        }
        catch (OperationCanceledException)
        {
            // Shutdown: the entry is picked up at the next start.
        }
    }

    /// <returns><see langword="false"/> when the hand-off failed and should be retried.</returns>
    private async Task<bool> HandOffAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var mail = await spool.ReadAsync(id, cancellationToken);
            if (mail is null)
            {
                return true;
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

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure (silo shutting down, storage error, the test hook) leaves the mail in the spool.
            LogHandOffFailed(logger, id, ex.GetType().Name);
            if (StorageHealth.IsStorageFailure(ex))
            {
                health.ReportFailure(StorageHealth.GrainStorage, ex);
            }

            return false;
        }
    }

    [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "SMTP spool: {Count} mails left from before the start are handed off again")]
    private static partial void LogResuming(ILogger logger, int count);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Debug, Message = "SMTP spool: {SpoolId} handed to tenant {TenantId} address {AddressId} (new: {IsNew})")]
    private static partial void LogHandedOff(ILogger logger, string spoolId, string tenantId, string addressId, bool isNew);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Warning, Message = "SMTP spool: hand-off of {SpoolId} failed ({ExceptionType}); it stays in the spool and is retried")]
    private static partial void LogHandOffFailed(ILogger logger, string spoolId, string exceptionType);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "SMTP spool: {SpoolId} handed off; grain storage works again, storage_unavailable cleared")]
    private static partial void LogGrainStorageRecovered(ILogger logger, string spoolId);
}
