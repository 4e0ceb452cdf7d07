using AlarmInbox.Api.Errors;
using AlarmInbox.Grains.Interfaces.Commands;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Tests.Api;

/// <summary>The one mapping of a grain's answer to a command onto HTTP (<see cref="CommandResults"/>).</summary>
public sealed class CommandResultsTests
{
    [Fact]
    public void SuccessBecomesTheEndpointsOwnResult()
    {
        var http = CommandResult.Ok("mbx-sblyjmrldyb37pqz").ToHttp(id => TypedResults.Created($"/api/x/{id}", id));

        var created = Assert.IsType<Created<string>>(http.Result);
        Assert.Equal("/api/x/mbx-sblyjmrldyb37pqz", created.Location);
        Assert.Equal(StatusCodes.Status201Created, created.StatusCode);
    }

    [Fact]
    public void InvalidInputBecomesA400ValidationProblemKeyedByEveryField()
    {
        CommandResult<string> result = CommandError.Invalid(new Dictionary<string, string[]>
        {
            ["port"] = ["port must be between 1 and 65535."],
            ["rules[0].pattern"] = ["pattern needs at least one named group."],
        });

        var problem = Assert.IsType<ValidationProblem>(result.ToHttp(TypedResults.Ok).Result);

        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        Assert.Equal(["port", "rules[0].pattern"], problem.ProblemDetails.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["port must be between 1 and 65535."], problem.ProblemDetails.Errors["port"]);
    }

    [Fact]
    public void NotFoundBecomes404AndConflict409NamingTheField()
    {
        CommandResult<string> missing = CommandError.MailboxNotFound("ff-a", "mbx-x");
        CommandError conflict = CommandError.Conflict("cascade", "Tenant has mailboxes.", "Delete them first.");

        var notFound = Assert.IsType<ProblemHttpResult>(missing.ToHttp(TypedResults.Ok).Result);
        var clash = Assert.IsType<ProblemHttpResult>(conflict.ToHttp().Result);

        Assert.Equal(StatusCodes.Status404NotFound, notFound.StatusCode);
        Assert.Equal("Mailbox not found.", notFound.ProblemDetails.Title);
        Assert.Equal("Tenant 'ff-a' has no mailbox 'mbx-x'.", notFound.ProblemDetails.Detail);
        Assert.Equal("mailboxId", notFound.ProblemDetails.Extensions["field"]);
        Assert.Equal(StatusCodes.Status409Conflict, clash.StatusCode);
        Assert.Equal("cascade", clash.ProblemDetails.Extensions["field"]);
    }

    [Fact]
    public void ACommandWithoutValueIs204WhenCarriedOut()
    {
        CommandError? done = null;

        Assert.IsType<NoContent>(done.ToHttp().Result);
    }

    [Fact]
    public void AnInvalidInputErrorWithoutAnyFieldIsRefused()
    {
        Assert.Throws<ArgumentException>(() => CommandError.Invalid(new Dictionary<string, string[]>()));
        Assert.Null(CommandError.IfAny(new Dictionary<string, string[]>()));
    }
}
