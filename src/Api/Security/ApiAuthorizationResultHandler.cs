using AlarmInbox.Api.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace AlarmInbox.Api.Security;

/// <summary>Answers a tenant admin's request for another tenant with the same 404 as for a tenant that does not exist; everything else as usual (401/403).</summary>
public sealed class ApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    /// <summary>The <see cref="HttpContext.Items"/> key set when a request was refused as another tenant's (so the audit log records the 404).</summary>
    public const string OtherTenantRefused = "alarminbox:other-tenant-refused";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    /// <inheritdoc />
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.Contains(TenantAccessRequirement.OtherTenant) == true)
        {
            context.Items[OtherTenantRefused] = true;
            await Problems.TenantNotFound(context.GetRouteValue("tenantId") as string ?? "").ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
