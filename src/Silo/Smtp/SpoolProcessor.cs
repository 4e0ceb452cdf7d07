using System.Collections.Concurrent;
using System.Threading.Channels;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Hands spooled mails to their inbound address grains (decode, store, alarm pipeline) and removes each spool entry
/// only after every address has it. Entries left from before a restart are queued at start, before the listener
/// accepts anything; a failed hand-off is retried after <see cref="SmtpOptions.RetryInterval"/>, for as long as it takes.
/// </summary>
public sealed partial class SpoolProcessor(
    InboundSpool spool,
    MailDecoder decoder,
    IGrainFactory grains,
    ISpoolHandOffObserver observer,
    TimeProvider time,
    IOptions<SmtpOptions> options,
    ILogger<SpoolProcessor> logger) : BackgroundService
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false });
    private readonly ConcurrentDictionary<string, byte> _queued = new(StringComparer.Ordinal);

    /// <summary>Queues a spooled mail for hand-off.</summary>
    public void Enqueue(string spoolId)
    {
        if (_queued.TryAdd(spoolId, 0))
        {
            _queue.Writer.TryWrite(spoolId);
        }
    }

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var leftover = spool.List();
        foreach (var id in leftover)
        {
            Enqueue(id);
        }

        if (leftover.Count > 0)
        {
            LogResuming(logger, leftover.Count);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.HandOffWorkers).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                _queued.TryRemove(id, out _);
                if (!await HandOffAsync(id, stoppingToken))
                {
                    _ = RetryLaterAsync(id, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: whatever is left stays in the spool for the next start.
        }
    }

    private async Task RetryLaterAsync(string id, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.Value.RetryInterval, time, stoppingToken);
            Enqueue(id);
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
            MailMessage message;
            try
            {
                using var stream = new MemoryStream(mail.Raw, writable: false);
                message = decoder.Decode(stream, 0, 0, envelope.ReceivedAt, mail.Raw.Length, time.GetUtcNow(), cancellationToken);
            }
            catch (FormatException)
            {
                LogUndecodable(logger, id);
                spool.MoveToBroken(id);
                return true;
            }

            message = message with { EnvelopeFrom = envelope.From, EnvelopeTo = envelope.Recipients };
            foreach (var route in envelope.Routes)
            {
                var isNew = await grains.GetGrain<IInboundAddressGrain>(route.AddressId).DeliverAsync(new InboundDelivery(id, message));
                LogHandedOff(logger, id, route.TenantId, route.AddressId, isNew);
            }

            spool.Delete(id);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure (silo shutting down, storage error, the test hook) leaves the mail in the spool.
            LogHandOffFailed(logger, id, ex.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "SMTP spool: {Count} mails left from before the start are handed off again")]
    private static partial void LogResuming(ILogger logger, int count);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Debug, Message = "SMTP spool: {SpoolId} handed to tenant {TenantId} address {AddressId} (new: {IsNew})")]
    private static partial void LogHandedOff(ILogger logger, string spoolId, string tenantId, string addressId, bool isNew);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Warning, Message = "SMTP spool: hand-off of {SpoolId} failed ({ExceptionType}); it stays in the spool and is retried")]
    private static partial void LogHandOffFailed(ILogger logger, string spoolId, string exceptionType);

    [LoggerMessage(EventId = 8104, Level = LogLevel.Error, Message = "SMTP spool: {SpoolId} is not a readable message; moved to the spool's broken/ folder")]
    private static partial void LogUndecodable(ILogger logger, string spoolId);
}
