using AlarmInbox.Api.Tenants;
using AlarmInbox.Api.Errors;
using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Ids;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Inbound;

/// <summary>The inbound SMTP address endpoints under <c>/api/tenants/{tenantId}/inbound-addresses</c>.</summary>
public static class InboundAddressesApi
{
    /// <summary>Maps the inbound address endpoints.</summary>
    public static RouteGroupBuilder MapInboundApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenants/{tenantId}/inbound-addresses").WithTags("Inbound addresses")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/", CreateAsync).WithSummary("Creates an inbound address <random token>@<AlarmInbox:Smtp:Domain> for the tenant.");
        group.MapGet("/", ListAsync).WithSummary("Lists the tenant's inbound addresses with status and counters, oldest first.");
        group.MapGet("/{addressId}", GetAsync).WithSummary("Returns one inbound address.");
        group.MapPost("/{addressId}/rotate", RotateAsync).WithSummary("Gives the address a new token; mail to the old address is refused with 550 from now on.");
        group.MapDelete("/{addressId}", RevokeAsync).WithSummary("Revokes the address: mail to it is refused with 550; its messages stay listable.");
        group.MapGet("/{addressId}/messages", MessagesAsync).WithSummary("Returns the newest mails received at the address, newest first.");
        return group;
    }

    internal static async Task<Results<Created<InboundAddressResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string tenantId, InboundAddressRequest request, IGrainFactory grains)
    {
        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        // The grain checks the description, and the directory grain that owns the tenant's list enforces the limit one
        // create at a time, so concurrent creates cannot pass it together.
        var result = await grains.GetGrain<IInboundAddressGrain>(EntityIds.New(EntityIds.InboundAddress)).CreateAsync(tenantId, request.Description);
        return result.ToHttp(created => TypedResults.Created($"/api/tenants/{tenantId}/inbound-addresses/{created.Id}", InboundAddressResponse.From(created)));
    }

    internal static async Task<Results<Ok<IReadOnlyList<InboundAddressResponse>>, ProblemHttpResult>> ListAsync(string tenantId, IGrainFactory grains)
    {
        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        var ids = await grains.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key).ListAsync(tenantId);
        var infos = await Task.WhenAll(ids.Select(id => grains.GetGrain<IInboundAddressGrain>(id).GetAsync()));
        return TypedResults.Ok<IReadOnlyList<InboundAddressResponse>>(infos.OfType<InboundAddressInfo>().Select(InboundAddressResponse.From).ToList());
    }

    internal static async Task<Results<Ok<InboundAddressResponse>, ProblemHttpResult>> GetAsync(string tenantId, string addressId, IGrainFactory grains) =>
        await OwnedAsync(grains, tenantId, addressId) is { } info ? TypedResults.Ok(InboundAddressResponse.From(info)) : NotFound(tenantId, addressId);

    internal static async Task<Results<Ok<InboundAddressResponse>, ValidationProblem, ProblemHttpResult>> RotateAsync(string tenantId, string addressId, IGrainFactory grains) =>
        EntityIds.HasPrefix(addressId, EntityIds.InboundAddress)
            ? (await grains.GetGrain<IInboundAddressGrain>(addressId).RotateAsync(tenantId)).ToHttp(rotated => TypedResults.Ok(InboundAddressResponse.From(rotated)))
            : NotFound(tenantId, addressId);

    internal static async Task<Results<Ok<InboundAddressResponse>, ValidationProblem, ProblemHttpResult>> RevokeAsync(string tenantId, string addressId, IGrainFactory grains) =>
        EntityIds.HasPrefix(addressId, EntityIds.InboundAddress)
            ? (await grains.GetGrain<IInboundAddressGrain>(addressId).RevokeAsync(tenantId)).ToHttp(revoked => TypedResults.Ok(InboundAddressResponse.From(revoked)))
            : NotFound(tenantId, addressId);

    internal static async Task<Results<Ok<IReadOnlyList<InboundMessageResponse>>, ValidationProblem, ProblemHttpResult>> MessagesAsync(
        string tenantId, string addressId, IGrainFactory grains, int limit = 50)
    {
        if (limit is < 1 or > InboundLimits.MaxMessagesPage)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"limit must be between 1 and {InboundLimits.MaxMessagesPage}."],
            });
        }

        if (await OwnedAsync(grains, tenantId, addressId) is null)
        {
            return NotFound(tenantId, addressId);
        }

        var messages = await grains.GetGrain<IInboundAddressGrain>(addressId).GetMessagesAsync(limit);
        return TypedResults.Ok<IReadOnlyList<InboundMessageResponse>>(messages.Select(InboundMessageResponse.Create).ToList());
    }

    private static ProblemHttpResult NotFound(string tenantId, string addressId) => CommandResults.Problem(CommandError.InboundAddressNotFound(tenantId, addressId));

    /// <summary>The address if it exists and belongs to <paramref name="tenantId"/>, else <see langword="null"/>.</summary>
    private static async Task<InboundAddressInfo?> OwnedAsync(IGrainFactory grains, string tenantId, string addressId) =>
        TenantValidator.IsValidId(tenantId) && EntityIds.HasPrefix(addressId, EntityIds.InboundAddress)
        && await grains.GetGrain<IInboundAddressGrain>(addressId).GetAsync() is { } info && info.TenantId == tenantId
            ? info
            : null;

}
