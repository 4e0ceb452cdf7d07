using System.Buffers;
using System.Diagnostics;
using AlarmInbox.Grains.Health;
using AlarmInbox.Grains.Inbound;
using AlarmInbox.Grains.Interfaces.Health;
using AlarmInbox.Grains.Interfaces.Inbound;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Takes the DATA of a transaction (RFC 5321 section 4.1.1.4): writes it to the <see cref="ISpoolStore"/> (a file with an
/// fsync, or a committed row in the cluster database) and only then answers 250, so a crash after the 250 never loses the mail; the hand-off to the grains follows
/// in the <see cref="SpoolProcessor"/>. Whenever the mail could not be made durable (a failed spool write, a full disk,
/// a database that does not answer, recipients that cannot be looked up) the answer is 451 (RFC 5321 section 4.2.5: the sender keeps the mail and tries
/// again later), never a permanent 5xx; a failed write is reported to <see cref="StorageHealth"/> as <c>storage_unavailable</c>.
/// </summary>
public sealed partial class InboundMessageStore(
    ISpoolStore spool,
    SpoolProcessor processor,
    InboundRouteCache routes,
    SmtpMetrics metrics,
    StorageHealth health,
    IGrainFactory grains,
    TimeProvider time,
    IOptions<InboundAddressOptions> addressOptions,
    ILogger<InboundMessageStore> logger) : IMessageStore
{
    private static readonly SmtpResponse TryLater = new(SmtpReplyCode.Aborted, "4.3.0 Local error in processing, try again later");

    /// <inheritdoc />
    public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await SaveDurablyAsync(transaction, buffer, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Anything that is not about the mail itself is transient for the sender: 451, never SmtpServer's 554.
            LogSaveFailed(logger, ex.GetType().Name);
            metrics.Rejected("try-later");
            return TryLater;
        }
    }

    private async Task<SmtpResponse> SaveDurablyAsync(IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var recipients = new List<string>();
        var resolved = new List<InboundRoute>();
        foreach (var to in transaction.To)
        {
            recipients.Add(to.AsAddress());
            if (await InboundMailboxFilter.ResolveAsync(to, routes, addressOptions.Value.Domain) is { } route && !resolved.Contains(route))
            {
                resolved.Add(route);
            }
        }

        if (resolved.Count == 0)
        {
            // Every recipient was revoked between RCPT TO and the end of DATA.
            metrics.Rejected("unknown-recipient");
            return new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "Mailbox unavailable");
        }

        var from = transaction.From is { } sender && !string.IsNullOrEmpty(sender.User) ? sender.AsAddress() : "";
        var envelope = new SpoolEnvelope(InboundSpool.NewId(), time.GetUtcNow(), from, recipients, resolved, buffer.Length);
        try
        {
            await spool.WriteAsync(envelope, buffer, cancellationToken);
        }
        catch (Exception ex) when (StorageHealth.IsStorageFailure(ex))
        {
            LogSpoolFailed(logger, ex.GetType().Name, ex.HResult);
            health.ReportFailure(StorageHealth.Spool, ex, buffer.Length);
            metrics.Rejected(StorageProblem.UnavailableCode);
            await RecordRejectionsAsync(resolved);
            return TryLater;
        }

        health.ReportSuccess(StorageHealth.Spool);
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.Accepted(elapsedMs);
        LogSpooled(logger, envelope.Id, envelope.Size, resolved.Count, elapsedMs);
        processor.Enqueue(envelope.Id, resolved[0].TenantId);
        return new SmtpResponse(SmtpReplyCode.Ok, $"Queued as {envelope.Id}");
    }

    private async Task RecordRejectionsAsync(List<InboundRoute> resolved)
    {
        try
        {
            foreach (var route in resolved)
            {
                await grains.GetGrain<IInboundAddressGrain>(route.AddressId).RecordRejectionAsync();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The counter is a convenience; with storage failing it may fail too, and the answer stays 451.
            LogSaveFailed(logger, ex.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 8201, Level = LogLevel.Debug, Message = "SMTP: spooled {SpoolId}, {Size} bytes for {Addresses} inbound addresses in {DurationMs:0.0} ms")]
    private static partial void LogSpooled(ILogger logger, string spoolId, long size, int addresses, double durationMs);

    [LoggerMessage(EventId = 8202, Level = LogLevel.Error, Message = "SMTP: writing to the spool failed ({ExceptionType}, HRESULT {HResult}); answered 451, storage_unavailable")]
    private static partial void LogSpoolFailed(ILogger logger, string exceptionType, int hResult);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "SMTP: a mail could not be made durable ({ExceptionType}); answered 451")]
    private static partial void LogSaveFailed(ILogger logger, string exceptionType);
}
