using System.Text.Json.Serialization;
using AlarmInbox.Api.Errors;
using AlarmInbox.Grains.Interfaces.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Tenants;

/// <summary>The tenant endpoints under <c>/api/tenants</c>.</summary>
public static class TenantsApi
{
    /// <summary>Maps the tenant endpoints.</summary>
    public static RouteGroupBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenants").WithTags("Tenants")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/", CreateAsync).WithSummary("Creates a tenant.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListAsync).WithSummary("Lists all tenant ids.");
        group.MapGet("/{tenantId}", GetAsync).WithSummary("Returns a tenant.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{tenantId}", DeleteAsync).WithSummary("Deletes a tenant; refused (409) while it has mailboxes unless cascade=true.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesValidationProblem();
        return group;
    }

    internal static async Task<Results<Created<TenantResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(CreateTenantRequest request, IGrainFactory grains)
    {
        if (!TenantValidator.IsValidId(request.Id))
        {
            // The id is the grain's key: a malformed one addresses no grain, so the rules are answered here (this request
            // reaches no grain; every other one is checked by the tenant grain alone).
            return TypedResults.ValidationProblem(TenantValidator.Validate(request.Id, request.Name));
        }

        var result = await grains.GetGrain<ITenantGrain>(request.Id).CreateAsync(request.Name);
        return result.ToHttp(tenant => TypedResults.Created($"/api/tenants/{tenant.Id}", TenantResponse.From(tenant)));
    }

    internal static async Task<Ok<TenantListResponse>> ListAsync(IGrainFactory grains)
    {
        var ids = await grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).ListAsync();
        return TypedResults.Ok(new TenantListResponse(ids));
    }

    internal static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> GetAsync(string tenantId, IGrainFactory grains)
    {
        var tenant = TenantValidator.IsValidId(tenantId) ? await grains.GetGrain<ITenantGrain>(tenantId).GetAsync() : null;
        return tenant is null ? Problems.TenantNotFound(tenantId) : TypedResults.Ok(TenantResponse.From(tenant));
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(string tenantId, IGrainFactory grains, bool cascade = false) =>
        TenantValidator.IsValidId(tenantId)
            ? (await grains.GetGrain<ITenantGrain>(tenantId).DeleteAsync(cascade)).ToHttp()
            : Problems.TenantNotFound(tenantId);
}

/// <summary>Body of <c>POST /api/tenants</c>.</summary>
/// <param name="Id">The tenant id: 2 to 64 characters a-z, 0-9 and '-', starting with a letter (e.g. <c>ff-musterdorf</c>).</param>
/// <param name="Name">The organisation's name, 1 to 200 characters.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateTenantRequest(string? Id, string? Name);

/// <summary>A tenant.</summary>
/// <param name="Id">The tenant id.</param>
/// <param name="Name">The organisation's name.</param>
/// <param name="CreatedAt">When it was created (UTC, ISO 8601).</param>
/// <param name="MailboxIds">The ids of its mailboxes.</param>
public sealed record TenantResponse(string Id, string Name, DateTimeOffset CreatedAt, IReadOnlyList<string> MailboxIds)
{
    internal static TenantResponse From(TenantInfo tenant) => new(tenant.Id, tenant.Name, tenant.CreatedAt, tenant.MailboxIds);
}

/// <summary>All tenant ids.</summary>
/// <param name="TenantIds">Sorted ordinally.</param>
public sealed record TenantListResponse(IReadOnlyList<string> TenantIds);
