using AlarmInbox.Api.Tenants;
using AlarmInbox.Grains.Interfaces.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Mailboxes;

/// <summary>The connection test endpoints: <c>POST …/mailboxes/{mailboxId}/test</c> (stored settings) and <c>POST …/mailboxes/test</c> (settings in the body, nothing stored).</summary>
public static class MailboxTestApi
{
    /// <summary>Maps the connection test endpoints.</summary>
    public static RouteGroupBuilder MapMailboxTestApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenants/{tenantId}/mailboxes").WithTags("Mailboxes");
        group.MapPost("/test", TestSettingsAsync)
            .WithSummary("Tests unsaved mailbox settings step by step (validate, tcp, tls, token, token_sanity, authenticate, select, search; for authType Graph: validate, token, token_sanity, mailbox, folder, delta); nothing is stored.");
        group.MapPost("/{mailboxId}/test", TestMailboxAsync)
            .WithSummary("Tests a stored mailbox's settings step by step; its status and watermark do not change.");
        return group;
    }

    internal static async Task<Results<Ok<ConnectionTestResponse>, ProblemHttpResult>> TestSettingsAsync(string tenantId, MailboxRequest request, IGrainFactory grains)
    {
        if (!TenantValidator.IsValidId(tenantId) || await grains.GetGrain<ITenantGrain>(tenantId).GetAsync() is null)
        {
            return NotFound("Tenant not found.", $"There is no tenant '{tenantId}'.", "tenantId");
        }

        var result = await grains.GetGrain<IConnectionTestGrain>(0).TestAsync(request.ToSettings());
        return TypedResults.Ok(ConnectionTestResponse.From(result));
    }

    internal static async Task<Results<Ok<ConnectionTestResponse>, ProblemHttpResult>> TestMailboxAsync(string tenantId, string mailboxId, IGrainFactory grains)
    {
        var owned = await grains.OwnsMailboxAsync(tenantId, mailboxId);
        var result = owned ? await grains.GetGrain<IMailboxGrain>(mailboxId).TestConnectionAsync() : null;
        return result is null
            ? NotFound("Mailbox not found.", $"Tenant '{tenantId}' has no mailbox '{mailboxId}'.", "mailboxId")
            : TypedResults.Ok(ConnectionTestResponse.From(result));
    }

    private static ProblemHttpResult NotFound(string title, string detail, string field) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: title, extensions: new Dictionary<string, object?> { ["field"] = field });
}

/// <summary>The result of a connection test.</summary>
/// <param name="Succeeded">Whether no step failed.</param>
/// <param name="DurationMs">Total duration in milliseconds.</param>
/// <param name="Steps">Every step in order: validate, tcp, tls, token, token_sanity, authenticate, select, search (authType Graph: validate, token, token_sanity, mailbox, folder, delta).</param>
/// <param name="FieldErrors">When step validate failed: field → messages (as in a 400 validation problem); else null.</param>
public sealed record ConnectionTestResponse(bool Succeeded, double DurationMs, IReadOnlyList<ConnectionTestStepResponse> Steps, IReadOnlyDictionary<string, string[]>? FieldErrors)
{
    internal static ConnectionTestResponse From(ConnectionTestResult r) => new(
        r.Succeeded, r.DurationMs, r.Steps.Select(s => new ConnectionTestStepResponse(s.Name, s.Outcome, s.DurationMs, s.Code, s.Message, s.Hint)).ToList(), r.FieldErrors);
}

/// <summary>One step of a connection test.</summary>
/// <param name="Name">validate, tcp, tls, token, token_sanity, authenticate, select or search; for Graph also mailbox, folder, delta.</param>
/// <param name="Outcome"><c>Passed</c>, <c>Failed</c> or <c>Skipped</c>.</param>
/// <param name="DurationMs">Duration in milliseconds (0 when skipped).</param>
/// <param name="Code">Stable error code when failed (see docs/errors.md), else null.</param>
/// <param name="Message">What happened, with the server's or Entra ID's own message (AADSTS number) when failed.</param>
/// <param name="Hint">What to check, naming the setup step to fix, when failed.</param>
public sealed record ConnectionTestStepResponse(string Name, ConnectionTestOutcome Outcome, double DurationMs, string? Code, string Message, string? Hint);
