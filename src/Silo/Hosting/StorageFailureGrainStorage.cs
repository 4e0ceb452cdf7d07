using System.Data.Common;
using AlarmInbox.Grains.Health;
using AlarmInbox.Grains.Interfaces.Health;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace AlarmInbox.Silo.Hosting;

/// <summary>
/// Grain storage that passes every call to the ADO.NET provider and turns its database failures into
/// <see cref="StorageUnavailableException"/> (code <c>storage_unavailable</c>), which callers and the API client can
/// deserialize: the drivers' exceptions have no Orleans codec, so a failed state read during activation reached the
/// API as a serialization error and was answered 500. Failures are reported to <see cref="StorageHealth"/> (component
/// <c>grain-storage</c>) until an operation of the same kind succeeds again: a write after a failed write (a full disk
/// can still be read), any operation after a failed read.
/// </summary>
public sealed partial class StorageFailureGrainStorage(IGrainStorage inner, StorageHealth health, ILogger<StorageFailureGrainStorage> logger) : IGrainStorage
{
    private volatile bool _failedOnWrite;

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync(() => inner.ReadStateAsync(stateName, grainId, grainState), stateName, write: false);

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync(() => inner.WriteStateAsync(stateName, grainId, grainState), stateName, write: true);

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync(() => inner.ClearStateAsync(stateName, grainId, grainState), stateName, write: true);

    private async Task GuardAsync(Func<Task> operation, string stateName, bool write)
    {
        try
        {
            await operation();
        }
        catch (Exception ex) when (DatabaseFailure(ex) is { } db)
        {
            _failedOnWrite = write;
            health.ReportFailure(StorageHealth.GrainStorage, db);
            LogFailed(logger, stateName, db.GetType().Name);
            throw new StorageUnavailableException($"storage_unavailable: the database failed ({db.GetType().Name}).");
        }

        if ((write || !_failedOnWrite) && health.ReportSuccess(StorageHealth.GrainStorage))
        {
            LogRecovered(logger, stateName);
        }
    }

    private static DbException? DatabaseFailure(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is DbException db)
            {
                return db;
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Grain storage failed for state {StateName} ({ExceptionType}); answered storage_unavailable")]
    private static partial void LogFailed(ILogger logger, string stateName, string exceptionType);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Information, Message = "Grain storage works again (an operation on state {StateName} succeeded); storage_unavailable cleared")]
    private static partial void LogRecovered(ILogger logger, string stateName);
}
