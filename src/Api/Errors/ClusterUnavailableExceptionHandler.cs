using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime;

namespace AlarmInbox.Api.Errors;

/// <summary>Turns failures into RFC 7807 ProblemDetails: no reachable silo → 503, malformed JSON → 400 naming the field.</summary>
public sealed class ClusterUnavailableExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException { InnerException: JsonException json })
        {
            var field = JsonFieldName(json.Path);
            httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            return await problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    [field] = [field == "$" ? "The body is not valid JSON." : $"'{field}' has a wrong type or value: {FirstSentence(json.Message)}"],
                })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request body is malformed.",
                },
            });
        }

        if (exception is BadHttpRequestException bad)
        {
            httpContext.Response.StatusCode = bad.StatusCode;
            return await problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = { Status = bad.StatusCode, Title = "Bad request.", Detail = bad.Message },
            });
        }

        if (IsClusterUnavailable(exception))
        {
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            httpContext.Response.Headers.RetryAfter = "5";
            return await problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails =
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "No silo is reachable.",
                    Detail = "The AlarmInbox cluster did not answer. Check that a silo is running; try again in a few seconds.",
                },
            });
        }

        return false;
    }

    /// <summary>Whether <paramref name="exception"/> means that no silo answered (not that a grain failed).</summary>
    public static bool IsClusterUnavailable(Exception exception) => exception switch
    {
        SiloUnavailableException or Orleans.Runtime.Messaging.ConnectionFailedException or GatewayTooBusyException or TimeoutException => true,
        OrleansMessageRejectionException => true,
        OrleansException { InnerException: { } inner } => IsClusterUnavailable(inner),
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsClusterUnavailable),
        _ => false,
    };

    private static string JsonFieldName(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "$";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
