using AlarmInbox.Grains.Interfaces.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Audit;

/// <summary>The audit log endpoint <c>GET /api/audit</c> (operators only).</summary>
public static class AuditApi
{
    /// <summary>Maps the audit endpoint.</summary>
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/", ListAsync).WithSummary("Returns the newest audit entries, newest first (limit 1 to 2000, default 100).");
        return group;
    }

    internal static async Task<Results<Ok<AuditListResponse>, ValidationProblem>> ListAsync(IGrainFactory grains, string? limit = null)
    {
        var count = 100;
        if (limit is not null && (!int.TryParse(limit, out count) || count is < 1 or > IAuditLogGrain.Capacity))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be a whole number from 1 to {IAuditLogGrain.Capacity}."] });
        }

        var entries = await grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.Key).ListAsync(count);
        return TypedResults.Ok(new AuditListResponse(entries.Select(AuditEntryResponse.From).ToList()));
    }
}

/// <summary>Audit entries, newest first.</summary>
/// <param name="Entries">The entries.</param>
public sealed record AuditListResponse(IReadOnlyList<AuditEntryResponse> Entries);

/// <summary>One audited request.</summary>
/// <param name="At">When it finished (UTC, ISO 8601).</param>
/// <param name="KeyId">The API key id (<c>bootstrap</c> for the configured key); null when no valid key was sent.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Route">The route pattern, e.g. <c>/api/tenants/{tenantId}/mailboxes/{mailboxId}</c>.</param>
/// <param name="TenantId">The tenant id in the route, if any.</param>
/// <param name="MailboxId">The mailbox id in the route, if any.</param>
/// <param name="Status">The HTTP status of the answer.</param>
public sealed record AuditEntryResponse(DateTimeOffset At, string? KeyId, string Method, string Route, string? TenantId, string? MailboxId, int Status)
{
    internal static AuditEntryResponse From(AuditEntry entry) => new(entry.At, entry.KeyId, entry.Method, entry.Route, entry.TenantId, entry.MailboxId, entry.Status);
}
