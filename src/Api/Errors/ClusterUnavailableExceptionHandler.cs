using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using AlarmInbox.Grains.Interfaces.Health;
using Orleans.Runtime;
using Orleans.Serialization;

namespace AlarmInbox.Api.Errors;

/// <summary>
/// Turns failures into RFC 7807 ProblemDetails: no reachable silo → 503 with Retry-After; a malformed body or query
/// value → 400 validation problem whose <c>errors</c> are keyed by the field (JSON path or parameter name).
/// </summary>
public sealed partial class ClusterUnavailableExceptionHandler : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException bad)
        {
            var (field, message) = DescribeBadRequest(bad);
            return await WriteAsync(httpContext, exception, new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status400BadRequest ? "The request is malformed." : "The request cannot be processed.",
            });
        }

        if (exception is ArgumentException argument)
        {
            // Commands answer refusals as results (CommandResults) and nothing throws this for bad input on purpose; kept as a safety net.
            return await WriteAsync(httpContext, exception, new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is invalid.",
                Detail = argument.Message,
            });
        }

        if (IsClusterUnavailable(exception))
        {
            httpContext.Response.Headers.RetryAfter = "5";
            return await WriteAsync(httpContext, exception, new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "No silo is reachable.",
                Detail = "The AlarmInbox cluster did not answer in time. Check that a silo is running; try again in a few seconds.",
            });
        }

        if (IsStorageUnavailable(exception))
        {
            httpContext.Response.Headers.RetryAfter = "10";
            var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Storage is unavailable.",
                Detail = "The database did not take the change; nothing was changed. Try again later.",
            };
            problem.Extensions["code"] = StorageProblem.UnavailableCode;
            return await WriteAsync(httpContext, exception, problem);
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="exception"/> is a failure of the silos' storage (the database is down or refuses writes):
    /// an ADO.NET <see cref="System.Data.Common.DbException"/>, or one that reached this process only by its type name
    /// (the API does not load the database drivers), anywhere in the inner exceptions.
    /// </summary>
    public static bool IsStorageUnavailable(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is StorageUnavailableException or System.Data.Common.DbException || IsDatabaseType(e.GetType().FullName)
                || (e is UnavailableExceptionFallbackException fallback && IsDatabaseType(fallback.ExceptionType)))
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsStorageUnavailable))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDatabaseType(string? typeName) =>
        typeName is not null && (typeName.StartsWith("Npgsql.", StringComparison.Ordinal) || typeName.StartsWith("Microsoft.Data.Sqlite.", StringComparison.Ordinal)
            || typeName.StartsWith("Microsoft.Data.SqlClient.", StringComparison.Ordinal) || typeName.EndsWith(".DbException", StringComparison.Ordinal));

    /// <summary>Whether <paramref name="exception"/> means that no silo answered (not that a grain failed).</summary>
    public static bool IsClusterUnavailable(Exception exception) => exception switch
    {
        SiloUnavailableException or Orleans.Runtime.Messaging.ConnectionFailedException or GatewayTooBusyException or TimeoutException => true,
        OrleansMessageRejectionException => true,
        OrleansException { InnerException: { } inner } => IsClusterUnavailable(inner),
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsClusterUnavailable),
        _ => false,
    };

    /// <summary>Names the field a bad request is about and says what is wrong, without .NET type names.</summary>
    internal static (string Field, string Message) DescribeBadRequest(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            var field = JsonFieldName(json.Path);
            if (json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal)
                && UnmappedMember().Match(json.Message) is { Success: true } unknown)
            {
                return (unknown.Groups[1].Value, $"'{unknown.Groups[1].Value}' is not a known field.");
            }

            if (json.InnerException?.GetType().Name == "JsonReaderException")
            {
                // A syntax error, not a wrong value: the body as a whole is broken.
                return ("$", $"The body is not valid JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}).");
            }

            if (field == "$")
            {
                return json.Message.Contains("could not be converted", StringComparison.Ordinal)
                    ? ("$", "The body must be a JSON object.")
                    : ("$", "The body is not valid JSON.");
            }

            return (field, $"'{field}' has a wrong type or value; expected {ExpectedValue(field)}.");
        }

        if (BindFailure().Match(bad.Message) is { Success: true } bind)
        {
            var name = bind.Groups["name"].Value;
            var type = bind.Groups["type"].Value;
            var expected = type switch
            {
                "int" or "Int32" => "a whole number",
                "bool" or "Boolean" => "true or false",
                _ => "a valid value",
            };
            return (name, $"'{name}' must be {expected}; got '{bind.Groups["value"].Value}'.");
        }

        if (bad.Message.Contains("no body was provided", StringComparison.Ordinal) || bad.Message.Contains("body was empty", StringComparison.OrdinalIgnoreCase))
        {
            return ("$", "A JSON body is required.");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return ("$", "The body must be JSON (Content-Type: application/json).");
        }

        return ("$", bad.Message);
    }

    private static string ExpectedValue(string field) => field switch
    {
        "security" => "one of SslOnConnect, StartTls, None",
        "port" => "a whole number from 1 to 65535",
        "pollIntervalSeconds" => "a whole number of seconds",
        "backfill" => "a whole number",
        "enabled" => "true or false",
        _ => "a JSON string",
    };

    private static string JsonFieldName(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "$";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
    }

    private static async ValueTask<bool> WriteAsync(HttpContext httpContext, Exception exception, Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await httpContext.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = problem,
        });
    }

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex("Failed to bind parameter \"(?<type>[^ \"]+) (?<name>[^\"]+)\" from \"(?<value>[^\"]*)\"")]
    private static partial Regex BindFailure();
}
