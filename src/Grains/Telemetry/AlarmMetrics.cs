using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace AlarmInbox.Grains.Telemetry;

/// <summary>
/// Alarm and webhook instruments of the <c>AlarmInbox</c> meter: mail-to-alarm latency, webhook delivery latency and
/// the webhook backlog (pending deliveries and the age of the oldest) of the tenants active on this silo.
/// </summary>
public sealed class AlarmMetrics : IDisposable
{
    /// <summary>Bucket bounds of the mail-to-alarm latency in milliseconds: IDLE and SMTP take well under a second, a polled mailbox up to its interval.</summary>
    public static readonly IReadOnlyList<double> MailToAlarmBuckets = [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000];

    /// <summary>Bucket bounds of the webhook delivery latency in milliseconds: a receiver on the LAN answers in ms, retries take seconds to minutes.</summary>
    public static readonly IReadOnlyList<double> WebhookDeliveryBuckets = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000];

    private readonly Meter _meter;
    private readonly Histogram<double> _mailToAlarm;
    private readonly Histogram<double> _delivery;
    private readonly ConcurrentDictionary<string, (int Pending, DateTimeOffset? Oldest)> _backlog = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates the instruments on the <c>AlarmInbox</c> meter from <paramref name="meterFactory"/>.</summary>
    public AlarmMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        _meter = meterFactory.Create(MailboxMetrics.MeterName);
        _mailToAlarm = _meter.CreateHistogram("alarminbox.alarm.mail_to_alarm.duration", "ms",
            "From the mail's arrival at the mail server (IMAP INTERNALDATE, or when it was fetched) to the alarm being stored.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MailToAlarmBuckets });
        _delivery = _meter.CreateHistogram("alarminbox.webhook.delivery.duration", "ms",
            "From an alarm revision being queued for a webhook to the receiver's 2xx answer, retries included; by outcome (delivered or dead_letter).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WebhookDeliveryBuckets });
        _meter.CreateObservableGauge("alarminbox.webhook.backlog", () => _backlog.Values.Sum(b => b.Pending), "{delivery}",
            "Webhook deliveries waiting for their first or a next attempt, of the tenants active on this silo.");
        _meter.CreateObservableGauge("alarminbox.webhook.backlog.oldest_age", ObserveOldestAge, "s",
            "Age of the oldest pending webhook delivery on this silo; 0 when none is pending.");
    }

    /// <summary>Records the latency of one alarm evaluated from a mail.</summary>
    public void RecordMailToAlarm(TimeSpan latency) => _mailToAlarm.Record(Math.Max(0, latency.TotalMilliseconds));

    /// <summary>Records a finished delivery: <paramref name="delivered"/> true for a 2xx answer, false for a dead letter.</summary>
    public void RecordDelivery(TimeSpan latency, bool delivered) =>
        _delivery.Record(Math.Max(0, latency.TotalMilliseconds), new KeyValuePair<string, object?>("outcome", delivered ? "delivered" : "dead_letter"));

    /// <summary>Sets the pending deliveries of a tenant and when the oldest of them was queued.</summary>
    public void ReportBacklog(string tenantId, int pending, DateTimeOffset? oldest)
    {
        if (pending == 0)
        {
            _backlog.TryRemove(tenantId, out _);
        }
        else
        {
            _backlog[tenantId] = (pending, oldest);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private double ObserveOldestAge()
    {
        var oldest = _backlog.Values.Min(b => b.Oldest);
        return oldest is null ? 0 : Math.Max(0, (_time.GetUtcNow() - oldest.Value).TotalSeconds);
    }
}
