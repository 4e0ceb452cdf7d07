using System.Security.Claims;
using System.Text.Json.Serialization;
using AlarmInbox.Api.Errors;
using AlarmInbox.Grains.Interfaces.Security;
using AlarmInbox.Grains.Interfaces.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Security;

/// <summary>The API key endpoints under <c>/api/keys</c> (operators only).</summary>
public static class ApiKeysApi
{
    /// <summary>The longest key name.</summary>
    public const int MaxNameLength = 100;

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

    internal static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem>> CreateAsync(
        CreateApiKeyRequest request, IGrainFactory grains, TimeProvider time, ClaimsPrincipal user)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > MaxNameLength || request.Name.Any(char.IsControl))
        {
            errors["name"] = [$"name must be 1 to {MaxNameLength} characters, without control characters (e.g. 'Leitstelle import')."];
        }

        if (request.Role is null)
        {
            errors["role"] = ["role must be Operator or TenantAdmin."];
        }
        else if (request.Role == ApiKeyRole.TenantAdmin)
        {
            if (!TenantValidator.IsValidId(request.TenantId) || await grains.GetGrain<ITenantGrain>(request.TenantId!).GetAsync() is null)
            {
                errors["tenantId"] = ["tenantId must name an existing tenant for a TenantAdmin key."];
            }
        }
        else if (request.TenantId is not null)
        {
            errors["tenantId"] = ["tenantId must be omitted for an Operator key (it has every tenant)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var directory = grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key);
        while (true)
        {
            var (id, key) = ApiKeys.Generate();
            var info = new ApiKeyInfo(id, request.Name!.Trim(), request.Role!.Value, request.Role == ApiKeyRole.TenantAdmin ? request.TenantId : null,
                ApiKeys.Hash(key), time.GetUtcNow(), user.FindFirstValue(ApiClaims.KeyId) ?? "", null);

            // 48-bit ids: a collision is astronomically rare, and then simply drawn again.
            if (await directory.AddAsync(info))
            {
                return TypedResults.Created($"/api/keys/{id}", new CreatedApiKeyResponse(ApiKeyResponse.From(info), key));
            }
        }
    }

    internal static async Task<Ok<ApiKeyListResponse>> ListAsync(IGrainFactory grains)
    {
        var keys = await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key).ListAsync();
        return TypedResults.Ok(new ApiKeyListResponse(keys.Select(ApiKeyResponse.From).ToList()));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string keyId, IGrainFactory grains, TimeProvider time)
    {
        var revoked = keyId.Length == 12 ? await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key).RevokeAsync(keyId, time.GetUtcNow()) : null;
        return revoked is null
            ? Problems.Of(StatusCodes.Status404NotFound, "API key not found.", $"There is no API key '{keyId}' (the bootstrap key is changed in configuration, not here).", "keyId")
            : TypedResults.NoContent();
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
