using System.Diagnostics.Metrics;

namespace AlarmInbox.Silo.Smtp;

/// <summary>Counters of the SMTP listener, meter <c>AlarmInbox.Smtp</c>.</summary>
public sealed class SmtpMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "AlarmInbox.Smtp";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _spoolWrite;
    private readonly Counter<long> _parked;

    /// <summary>Creates the instruments on a meter from <paramref name="meters"/>.</summary>
    public SmtpMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _accepted = meter.CreateCounter<long>("alarminbox.smtp.accepted", "{message}", "Mails answered 250 (spooled).");
        _rejected = meter.CreateCounter<long>("alarminbox.smtp.rejected", "{reply}", "Refused commands, by reason.");
        _spoolWrite = meter.CreateHistogram<double>("alarminbox.smtp.spool_write.duration", "ms", "Time to write and fsync a spooled mail.");
        _parked = meter.CreateCounter<long>(
            "alarminbox.smtp.spool.parked", "{message}", "Spooled mails moved aside after AlarmInbox:Smtp:MaxHandOffAttempts failed hand-offs (kept, not handed off).");

        // Exported from the start at 0: Prometheus' increase() cannot see a first park on a series that begins at 1.
        _parked.Add(0);
    }

    /// <summary>Counts a spooled mail moved aside after too many failed hand-offs.</summary>
    public void Parked() => _parked.Add(1);

    /// <summary>Counts an accepted mail and its spool write time.</summary>
    public void Accepted(double spoolWriteMs)
    {
        _accepted.Add(1);
        _spoolWrite.Record(spoolWriteMs);
    }

    /// <summary>Counts a refusal, by reason: <c>unknown-recipient</c>, <c>too-many-recipients</c>, <c>too-many-sessions</c>, <c>too-many-sessions-per-client</c>, <c>idle-before-mail</c>, <c>storage_unavailable</c> (451: the spool write failed), <c>try-later</c> (451: another transient failure).</summary>
    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
