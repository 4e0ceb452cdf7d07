using System.Diagnostics.Metrics;
using AlarmInbox.Silo.Smtp;
using Microsoft.Extensions.DependencyInjection;

namespace AlarmInbox.Tests.Inbound;

/// <summary>
/// Sums what one silo adds to the counter <c>alarminbox.smtp.spool.parked</c> from now on; the same counter of other
/// silos in the test process (a meter of the same name from another host) is not counted.
/// </summary>
public sealed class ParkedMailCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _parked;

    /// <summary>Starts listening to the meter of the silo whose services are <paramref name="silo"/>.</summary>
    public ParkedMailCounter(IServiceProvider silo)
    {
        // The silo's meter factory hands out the instance SmtpMetrics created (same name, same factory).
        var meter = silo.GetRequiredService<IMeterFactory>().Create(SmtpMetrics.MeterName);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "alarminbox.smtp.spool.parked")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _parked, value));
        _listener.Start();
    }

    /// <summary>The mails parked since the listening started.</summary>
    public long Parked => Interlocked.Read(ref _parked);

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
