using System.Security.Claims;
using AlarmInbox.Grains.Interfaces.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Security;

/// <summary><c>GET /api/me</c>: who the calling key is (the console's sign-in asks this).</summary>
public static class CurrentKeyApi
{
    /// <summary>Maps the endpoint; any valid key may call it, a tenant admin's too.</summary>
    public static RouteGroupBuilder MapCurrentKeyApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/me").WithTags("API keys")
            .RequireAuthorization(new AuthorizationPolicyBuilder(ApiClaims.Scheme).RequireAuthenticatedUser().Build());
        group.MapGet("/", Get).WithSummary("Returns the calling API key's id, role and tenant.");
        return group;
    }

    internal static Ok<CurrentKeyResponse> Get(ClaimsPrincipal user) => TypedResults.Ok(new CurrentKeyResponse(
        user.FindFirstValue(ApiClaims.KeyId) ?? "",
        user.IsInRole(ApiClaims.OperatorRole) ? ApiKeyRole.Operator : ApiKeyRole.TenantAdmin,
        user.FindFirstValue(ApiClaims.TenantId)));
}

/// <summary>The calling key.</summary>
/// <param name="KeyId">The key id (<c>bootstrap</c> for the bootstrap operator key).</param>
/// <param name="Role"><c>Operator</c> or <c>TenantAdmin</c>.</param>
/// <param name="TenantId">The tenant of a tenant admin key, else null.</param>
public sealed record CurrentKeyResponse(string KeyId, ApiKeyRole Role, string? TenantId);
