using AlarmInbox.Grains.Interfaces.Commands;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AlarmInbox.Api.Errors;

/// <summary>RFC 7807 problems (<c>application/problem+json</c>) with the field they are about in the <c>field</c> extension member.</summary>
public static class Problems
{
    /// <summary>Builds a problem result.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="title">A short summary.</param>
    /// <param name="detail">What happened and what to do.</param>
    /// <param name="field">The request field (JSON name or route parameter) it is about.</param>
    public static ProblemHttpResult Of(int status, string title, string detail, string? field = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return TypedResults.Problem(problem);
    }

    /// <summary>404 for a tenant that does not exist (the same problem the grains answer, <see cref="CommandError.TenantNotFound"/>).</summary>
    public static ProblemHttpResult TenantNotFound(string tenantId) => CommandResults.Problem(CommandError.TenantNotFound(tenantId));

    /// <summary>404 for a mailbox that does not exist in the tenant (<see cref="CommandError.MailboxNotFound"/>).</summary>
    public static ProblemHttpResult MailboxNotFound(string tenantId, string mailboxId) => CommandResults.Problem(CommandError.MailboxNotFound(tenantId, mailboxId));
}
