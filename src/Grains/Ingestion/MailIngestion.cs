using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Ingestion;

/// <summary>
/// The one ingestion path of every mail, whatever carried it (IMAP, SMTP, Graph): <b>decode</b> the raw MIME
/// (<see cref="MailDecoder"/>, charset repair, attached originals), <b>recognise and evaluate</b> it in the tenant's alarm
/// pipeline (<see cref="ITenantAlarmsGrain.IngestAsync(MailPath, IReadOnlyList{MailMessage})"/>: one alarm per mail across
/// all paths, repeats become receipts), then <b>store</b> the message for its mailbox or inbound address, flagged
/// <c>late</c> by the same definition as its alarm. Each step is idempotent by the path key (source, UIDVALIDITY, UID):
/// the caller advances its watermark or removes its spool entry only after this returns, and a retry changes nothing.
/// </summary>
/// <remarks>Stateless; registered as a singleton. Callers: <c>MailboxGrain</c> (IMAP), <c>SpoolProcessor</c> (SMTP), the Graph mailbox.</remarks>
public sealed partial class MailIngestion(
    MailDecoder decoder, IGrainFactory grains, TimeProvider time, IOptions<IngestionOptions> options, ILogger<MailIngestion> logger)
{
    private readonly TimeSpan _mailBudget = options.Value.MailBudget;

    /// <summary>Ingests a batch of raw mails of one path; returns after the alarms and the messages are stored.</summary>
    /// <param name="request">The mails and where they came from.</param>
    /// <param name="cancellationToken">Cancels decoding (not the stores once started).</param>
    /// <returns>The stored messages, the outcome per mail, and the store's counts.</returns>
    public async Task<IngestionResult> IngestAsync(IngestionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Mails.Count == 0)
        {
            return new IngestionResult([], [], 0, 0);
        }

        // 1. Decode.
        var now = time.GetUtcNow();
        var decoded = request.Mails.Select(mail => Decode(request.Path, mail, now, cancellationToken)).ToList();

        // 2. Recognise and evaluate (and store the alarms): the tenant's pipeline.
        var outcomes = await grains.GetGrain<ITenantAlarmsGrain>(request.TenantId).IngestAsync(request.Path, decoded);

        // A tenant deleted while the mails were on their way: nothing of them is kept (the pipeline stored nothing either).
        if (outcomes.Count > 0 && outcomes.All(o => o.Disposition == IngestDisposition.TenantDeleted))
        {
            LogTenantDeleted(logger, request.TenantId, request.Path.Kind, request.Path.SourceId, outcomes.Count);
            return new IngestionResult([], outcomes, 0, 0);
        }

        // 3. Store the messages, late by the alarm's definition, naming (not holding) an attached original.
        var stored = decoded.Zip(outcomes, (message, outcome) => message with
        {
            Late = outcome.Late,
            AttachedMessage = message.AttachedMessage?.NamesOnly(),
        }).ToList();
        foreach (var late in stored.Where(m => m.Late))
        {
            LogLate(logger, request.TenantId, request.Path.Kind, request.Path.SourceId, late.Uid);
        }

        var result = request.Path.Kind == MailPathKind.Smtp
            ? await grains.GetGrain<IInboundAddressGrain>(request.Path.SourceId).StoreMessagesAsync(stored)
            : await grains.GetGrain<IMailboxMessagesGrain>(request.Path.SourceId).AddAsync(stored, request.WatermarkLastUid, request.SkipKnownContent);
        return new IngestionResult(stored, outcomes, result.Added, result.StoredBefore);
    }

    private MailMessage Decode(MailPath path, RawMail mail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        MailMessage message;
        try
        {
            using var stream = new MemoryStream(mail.Raw, writable: false);
            var parsed = decoder.Parse(stream, cancellationToken);

            // The budget starts after the (linear) parse: on a loaded machine a large legitimate mail must not lose its
            // text because parsing its bytes took long.
            var budget = new DecodeBudget(_mailBudget);
            if (mail.Partial)
            {
                budget.Hit(MailLimits.Size);
                LogPartial(logger, path.Kind, path.SourceId, mail.Uid, mail.Size, mail.Raw.Length);
            }

            message = decoder.Decode(parsed, mail.UidValidity, mail.Uid, mail.ReceivedAt, mail.Size > 0 ? mail.Size : mail.Raw.Length, now, budget);
            if (message.Truncated)
            {
                LogLimited(logger, path.Kind, path.SourceId, mail.Uid, string.Join(",", message.Limits));
            }
        }
        catch (FormatException)
        {
            // Not a message at all: stored flagged (and rejected for want of content) instead of holding up the mails after it.
            LogUndecodable(logger, path.Kind, path.SourceId, mail.Uid);
            message = new MailMessage
            {
                UidValidity = mail.UidValidity,
                Uid = mail.Uid,
                InternalDate = mail.ReceivedAt,
                Size = mail.Size > 0 ? mail.Size : mail.Raw.Length,
                FetchedAt = now,
                Limits = mail.Partial ? [MailLimits.Size, MailLimits.Undecodable] : [MailLimits.Undecodable],
            };
        }

        if (mail.EnvelopeFrom is null && mail.EnvelopeTo.Count == 0)
        {
            return message;
        }

        // The envelope is capped like the headers.
        var max = MailLimits.MaxHeaderLength;
        var capped = mail.EnvelopeTo.Count > MailLimits.MaxRecipients || mail.EnvelopeTo.Any(a => a.Length > max) || mail.EnvelopeFrom?.Length > max;
        return message with
        {
            EnvelopeFrom = mail.EnvelopeFrom is { Length: > 0 } from && from.Length > max ? from[..max] : mail.EnvelopeFrom,
            EnvelopeTo = [.. mail.EnvelopeTo.Take(MailLimits.MaxRecipients).Select(a => a.Length > max ? a[..max] : a)],
            Limits = capped && !message.Limits.Contains(MailLimits.Headers) ? [.. message.Limits, MailLimits.Headers] : message.Limits,
        };
    }

    [LoggerMessage(EventId = 2290, Level = LogLevel.Warning, Message = "{Path} {SourceId}: UID {Uid} has {Size} bytes, more than the path's size limit; decoded and evaluated on its first {Fetched} bytes")]
    private static partial void LogPartial(ILogger logger, MailPathKind path, string sourceId, uint uid, long size, int fetched);

    [LoggerMessage(EventId = 2291, Level = LogLevel.Warning, Message = "Tenant {TenantId} was deleted while {Count} mails of {Path} {SourceId} were on their way; they were dropped")]
    private static partial void LogTenantDeleted(ILogger logger, string tenantId, MailPathKind path, string sourceId, int count);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "{Path} {SourceId}: UID {Uid} is not a readable message; stored flagged 'undecodable'")]
    private static partial void LogUndecodable(ILogger logger, MailPathKind path, string sourceId, uint uid);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "{Path} {SourceId}: UID {Uid} hit processing limits ({Limits}); stored and evaluated on what was extracted")]
    private static partial void LogLimited(ILogger logger, MailPathKind path, string sourceId, uint uid, string limits);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Tenant {TenantId}: {Path} {SourceId} UID {Uid} is late (sent longer ago than the late threshold when it was evaluated)")]
    private static partial void LogLate(ILogger logger, string tenantId, MailPathKind path, string sourceId, uint uid);
}
