using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace AlarmInbox.Api.Security;

/// <summary>
/// The rule of every endpoint: an operator may use all of them; a tenant admin only the endpoints under
/// <c>/api/tenants/{tenantId}/…</c> and <c>GET /api/tenants/{tenantId}</c> of its own tenant (and routing's own 404/405/415 answers, which run no handler). Another tenant's id fails
/// with <see cref="OtherTenant"/>, answered 404 so that nothing tells whether that tenant exists.
/// </summary>
public sealed class TenantAccessRequirement : AuthorizationHandler<TenantAccessRequirement>, IAuthorizationRequirement
{
    /// <summary>The failure reason for another tenant's resource.</summary>
    public static readonly AuthorizationFailureReason OtherTenant = new(new TenantAccessRequirement(), "other-tenant");

    private const string TenantRoute = "/api/tenants/{tenantId}";

    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TenantAccessRequirement requirement)
    {
        var user = context.User;
        if (user.IsInRole(ApiClaims.OperatorRole))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        if (!user.IsInRole(ApiClaims.TenantAdminRole) || context.Resource is not HttpContext http)
        {
            return Task.CompletedTask;
        }

        if (http.GetEndpoint() is not RouteEndpoint endpoint)
        {
            // No route matched, or routing's own 405/415 answer: no handler runs, so there is nothing to protect.
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        var pattern = endpoint.RoutePattern.RawText?.TrimEnd('/');
        var tenantScoped = pattern is not null
            && (pattern.StartsWith(TenantRoute + "/", StringComparison.Ordinal) || (pattern == TenantRoute && HttpMethods.IsGet(http.Request.Method)));
        if (!tenantScoped)
        {
            return Task.CompletedTask;
        }

        var routeTenant = http.GetRouteValue("tenantId") as string;
        if (string.Equals(routeTenant, user.FindFirstValue(ApiClaims.TenantId), StringComparison.Ordinal))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(OtherTenant);
        }

        return Task.CompletedTask;
    }
}
