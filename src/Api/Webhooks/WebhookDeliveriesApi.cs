using AlarmInbox.Api.Alarms;
using AlarmInbox.Api.Errors;
using AlarmInbox.Api.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Webhooks;

/// <summary><c>POST /api/tenants/{tenantId}/webhooks/{webhookId}/deliveries/{idempotencyKey}/redeliver</c>: send a delivery again.</summary>
public static class WebhookDeliveriesApi
{
    /// <summary>Maps the endpoint.</summary>
    public static RouteGroupBuilder MapWebhookDeliveriesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenants/{tenantId}/webhooks/{webhookId}/deliveries").WithTags("Webhooks")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/{idempotencyKey}/redeliver", RedeliverAsync)
            .WithSummary("Sends a delivered or given-up delivery again (same body and Idempotency-Key, attempts reset); a pending one stays as it is.");
        return group;
    }

    internal static async Task<Results<Ok<DeliveryResponse>, ProblemHttpResult>> RedeliverAsync(string tenantId, string webhookId, string idempotencyKey, IGrainFactory grains)
    {
        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        var delivery = await grains.GetGrain<IWebhookOutboxGrain>(tenantId).RedeliverAsync(webhookId, idempotencyKey);
        return delivery is null
            ? Problems.Of(StatusCodes.Status404NotFound, "Delivery not found.",
                $"Webhook '{webhookId}' of tenant '{tenantId}' has no delivery '{idempotencyKey}' (finished deliveries are kept only up to a limit).", "idempotencyKey")
            : TypedResults.Ok(DeliveryResponse.From(delivery));
    }
}
