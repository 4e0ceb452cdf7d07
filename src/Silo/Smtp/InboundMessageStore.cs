using System.Buffers;
using System.Diagnostics;
using AlarmInbox.Grains.Inbound;
using AlarmInbox.Grains.Interfaces.Inbound;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Takes the DATA of a transaction (RFC 5321 section 4.1.1.4): writes it to the <see cref="InboundSpool"/> with an
/// fsync and only then answers 250, so a crash after the 250 never loses the mail; the hand-off to the grains follows
/// in the <see cref="SpoolProcessor"/>. A failed spool write answers 451 (the sender retries later).
/// </summary>
public sealed partial class InboundMessageStore(
    InboundSpool spool,
    SpoolProcessor processor,
    InboundRouteCache routes,
    SmtpMetrics metrics,
    IGrainFactory grains,
    TimeProvider time,
    IOptions<InboundAddressOptions> addressOptions,
    ILogger<InboundMessageStore> logger) : IMessageStore
{
    /// <inheritdoc />
    public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
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
        catch (IOException ex)
        {
            LogSpoolFailed(logger, ex.GetType().Name, ex.HResult);
            metrics.Rejected("spool-failed");
            foreach (var route in resolved)
            {
                await grains.GetGrain<IInboundAddressGrain>(route.AddressId).RecordRejectionAsync();
            }

            return new SmtpResponse(SmtpReplyCode.Aborted, "Local error in processing, try again later");
        }

        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.Accepted(elapsedMs);
        LogSpooled(logger, envelope.Id, envelope.Size, resolved.Count, elapsedMs);
        processor.Enqueue(envelope.Id);
        return new SmtpResponse(SmtpReplyCode.Ok, $"Queued as {envelope.Id}");
    }

    [LoggerMessage(EventId = 8201, Level = LogLevel.Debug, Message = "SMTP: spooled {SpoolId}, {Size} bytes for {Addresses} inbound addresses in {DurationMs:0.0} ms")]
    private static partial void LogSpooled(ILogger logger, string spoolId, long size, int addresses, double durationMs);

    [LoggerMessage(EventId = 8202, Level = LogLevel.Error, Message = "SMTP: writing to the spool failed ({ExceptionType}, HRESULT {HResult}); answered 451")]
    private static partial void LogSpoolFailed(ILogger logger, string exceptionType, int hResult);
}
