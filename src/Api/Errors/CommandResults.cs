using AlarmInbox.Grains.Interfaces.Commands;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Errors;

/// <summary>
/// Maps a grain's answer to a command (<see cref="CommandResult{T}"/>, <see cref="CommandError"/>) to HTTP, the same
/// way for every endpoint: success → the endpoint's own result (201 with Location, 200, 204); invalid input → 400
/// validation problem whose <c>errors</c> are keyed by field; not found → 404 and conflict → 409, problem details with
/// the <c>field</c> extension (<see cref="Problems.Of"/>).
/// </summary>
public static class CommandResults
{
    /// <summary>The endpoint's <paramref name="success"/> result for the value, or the problem for the refusal.</summary>
    public static Results<TSuccess, ValidationProblem, ProblemHttpResult> ToHttp<T, TSuccess>(this CommandResult<T> result, Func<T, TSuccess> success)
        where T : class
        where TSuccess : IResult
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(success);
        if (result.Error is { } error)
        {
            return error.Kind == CommandErrorKind.Invalid ? Invalid(error) : Problem(error);
        }

        return success(result.Value ?? throw new InvalidOperationException("A successful command result carries its value."));
    }

    /// <summary>204 when <paramref name="error"/> is <see langword="null"/> (the command was carried out), else the problem.</summary>
    public static Results<NoContent, ValidationProblem, ProblemHttpResult> ToHttp(this CommandError? error) =>
        error is null ? TypedResults.NoContent()
        : error.Kind == CommandErrorKind.Invalid ? Invalid(error)
        : Problem(error);

    /// <summary>The 404 or 409 problem of a refusal that is not about invalid input.</summary>
    public static ProblemHttpResult Problem(CommandError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var status = error.Kind switch
        {
            CommandErrorKind.NotFound => StatusCodes.Status404NotFound,
            CommandErrorKind.Conflict => StatusCodes.Status409Conflict,
            _ => throw new ArgumentException($"{error.Kind} is answered with a validation problem.", nameof(error)),
        };
        return Problems.Of(status, error.Title ?? "", error.Detail ?? "", error.Field);
    }

    private static ValidationProblem Invalid(CommandError error) => TypedResults.ValidationProblem(error.Errors.ToDictionary());
}
