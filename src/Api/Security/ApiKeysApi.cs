using System.Security.Claims;
using System.Text.Json.Serialization;
using AlarmInbox.Api.Errors;
using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Security;

/// <summary>The API key endpoints under <c>/api/keys</c> (operators only).</summary>
public static class ApiKeysApi
{
    /// <summary>Maps the key endpoints.</summary>
    public static RouteGroupBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/keys").WithTags("API keys")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPost("/", CreateAsync).WithSummary("Creates an API key; the answer carries the key once, only its hash is stored.")
            .ProducesValidationProblem();
        group.MapGet("/", ListAsync).WithSummary("Lists the API keys (never their secrets), revoked ones included.");
        group.MapDelete("/{keyId}", RevokeAsync).WithSummary("Revokes an API key at once.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    internal static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var directory = grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key);
        while (true)
        {
            // The key is drawn here so that only its hash leaves this process; the directory checks the rest, once.
            var (id, key) = ApiKeys.Generate();
            var result = await directory.CreateAsync(new NewApiKey
            {
                Id = id,
                Name = request.Name,
                Role = request.Role,
                TenantId = request.TenantId,
                SecretHash = ApiKeys.Hash(key),
                CreatedBy = user.FindFirstValue(ApiClaims.KeyId) ?? "",
            });

            // 48-bit ids: a collision is astronomically rare, and then simply drawn again.
            if (result.Error is not { Kind: CommandErrorKind.Conflict })
            {
                return result.ToHttp(info => TypedResults.Created($"/api/keys/{info.Id}", new CreatedApiKeyResponse(ApiKeyResponse.From(info), key)));
            }
        }
    }

    internal static async Task<Ok<ApiKeyListResponse>> ListAsync(IGrainFactory grains)
    {
        var keys = await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key).ListAsync();
        return TypedResults.Ok(new ApiKeyListResponse(keys.Select(ApiKeyResponse.From).ToList()));
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RevokeAsync(string keyId, IGrainFactory grains)
    {
        var result = await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key).RevokeAsync(keyId);
        return result.ToHttp(_ => TypedResults.NoContent());
    }
}

/// <summary>Body of <c>POST /api/keys</c>.</summary>
/// <param name="Name">What the key is for, 1 to 100 characters.</param>
/// <param name="Role"><c>Operator</c> (everything) or <c>TenantAdmin</c> (one tenant).</param>
/// <param name="TenantId">The tenant of a <c>TenantAdmin</c> key; omitted for an operator key.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateApiKeyRequest(string? Name, ApiKeyRole? Role, string? TenantId);

/// <summary>An API key without its secret.</summary>
/// <param name="Id">The key id (12 hex characters; the key starts with <c>aik_&lt;id&gt;_</c>).</param>
/// <param name="Name">What it is for.</param>
/// <param name="Role"><c>Operator</c> or <c>TenantAdmin</c>.</param>
/// <param name="TenantId">The tenant of a tenant admin key.</param>
/// <param name="CreatedAt">When it was created (UTC, ISO 8601).</param>
/// <param name="CreatedBy">The key id that created it.</param>
/// <param name="RevokedAt">When it was revoked; null while valid.</param>
public sealed record ApiKeyResponse(string Id, string Name, ApiKeyRole Role, string? TenantId, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt)
{
    internal static ApiKeyResponse From(ApiKeyInfo key) => new(key.Id, key.Name, key.Role, key.TenantId, key.CreatedAt, key.CreatedBy, key.RevokedAt);
}

/// <summary>A new key: its description and, this one time only, the key itself.</summary>
/// <param name="ApiKey">The key's description.</param>
/// <param name="Key">The key to send as <c>Authorization: Bearer &lt;key&gt;</c>; it cannot be shown again.</param>
public sealed record CreatedApiKeyResponse(ApiKeyResponse ApiKey, string Key);

/// <summary>All API keys, oldest first.</summary>
/// <param name="Keys">The keys.</param>
public sealed record ApiKeyListResponse(IReadOnlyList<ApiKeyResponse> Keys);
