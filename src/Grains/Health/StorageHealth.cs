using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics.Metrics;
using AlarmInbox.Grains.Interfaces.Health;
using AlarmInbox.Grains.Telemetry;

namespace AlarmInbox.Grains.Health;

/// <summary>
/// What this silo knows about its storage: components report failed and successful durable writes; a component whose
/// last write failed is a <see cref="StorageProblem"/> (code <c>storage_unavailable</c>) until a write or a probe
/// succeeds again. Shown by the readiness checks and by the gauge <c>alarminbox.storage.unavailable</c> (meter
/// <c>AlarmInbox</c>, tag <c>component</c>).
/// </summary>
public sealed class StorageHealth
{
    /// <summary>The SMTP spool (a file per mail before the 250, or the cluster database's spool table).</summary>
    public const string Spool = "smtp-spool";

    /// <summary>The database behind grain state.</summary>
    public const string GrainStorage = "grain-storage";

    private readonly ConcurrentDictionary<string, Failure> _failures = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates the health record and its gauge.</summary>
    public StorageHealth(TimeProvider time, IMeterFactory meters)
    {
        _time = time;
        meters.Create(MailboxMetrics.MeterName).CreateObservableGauge(
            "alarminbox.storage.unavailable", Observe, "{component}", "1 while a storage component of this silo fails to make writes durable (storage_unavailable), by component.");
    }

    /// <summary>The silo name reported with problems; set by the host.</summary>
    public string SiloName { get; set; } = Environment.MachineName;

    /// <summary>Records a failed durable write of <paramref name="component"/>.</summary>
    /// <param name="component">The component, e.g. <see cref="Spool"/>.</param>
    /// <param name="error">What failed; only its type is kept.</param>
    /// <param name="bytes">How many bytes the failed write needed (the probe writes as many before it calls the component healthy again).</param>
    public void ReportFailure(string component, Exception error, long bytes = 0)
    {
        ArgumentNullException.ThrowIfNull(error);
        var now = _time.GetUtcNow();
        _failures.AddOrUpdate(component,
            _ => new Failure(now, error.GetType().Name, bytes),
            (_, old) => old with { Reason = error.GetType().Name, Bytes = Math.Max(old.Bytes, bytes) });
    }

    /// <summary>Records a successful durable write (or probe) of <paramref name="component"/>: it is healthy again.</summary>
    /// <returns>Whether the component had a problem until now.</returns>
    public bool ReportSuccess(string component) => _failures.TryRemove(component, out _);

    /// <summary>How many bytes a probe of <paramref name="component"/> should write, or <see langword="null"/> when it has no problem.</summary>
    public long? ProbeSize(string component) => _failures.TryGetValue(component, out var failure) ? failure.Bytes : null;

    /// <summary>The current problems, empty when every component works.</summary>
    public IReadOnlyList<StorageProblem> Problems =>
        [.. _failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new StorageProblem { Component = f.Key, Since = f.Value.Since, Reason = f.Value.Reason, Silo = SiloName })];

    /// <summary>Whether <paramref name="error"/> (or an inner exception) is a storage failure: the disk (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>) or the database (<see cref="DbException"/>, or <see cref="StorageUnavailableException"/> from a grain call).</summary>
    public static bool IsStorageFailure(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is IOException or UnauthorizedAccessException or DbException or StorageUnavailableException)
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsStorageFailure))
            {
                return true;
            }
        }

        return false;
    }

    private IEnumerable<Measurement<int>> Observe() =>
        _failures.Keys.Select(component => new Measurement<int>(1, new KeyValuePair<string, object?>("component", component), new KeyValuePair<string, object?>("code", StorageProblem.UnavailableCode)));

    private sealed record Failure(DateTimeOffset Since, string Reason, long Bytes);
}
