using System.Data.Common;
using AlarmInbox.Grains.Interfaces.Health;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Silo.Hosting;

/// <summary>
/// Turns a database failure inside a grain call (an ADO.NET <see cref="DbException"/> anywhere in the exception's inner
/// exceptions) into a <see cref="StorageUnavailableException"/>, which crosses to callers and clients: the driver's
/// exceptions have no Orleans codec, so without this the caller got a serialization error instead of the reason.
/// </summary>
public sealed partial class StorageFailureCallFilter(ILogger<StorageFailureCallFilter> logger) : IIncomingGrainCallFilter
{
    /// <inheritdoc />
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (DatabaseFailure(ex) is { } db)
        {
            LogStorageFailed(logger, context.InterfaceName, context.MethodName, db.GetType().Name);
            throw new StorageUnavailableException($"storage_unavailable: the database failed ({db.GetType().Name}).");
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

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Grain call {Interface}.{Method} failed in storage ({ExceptionType}); answered storage_unavailable")]
    private static partial void LogStorageFailed(ILogger logger, string @interface, string method, string exceptionType);
}
