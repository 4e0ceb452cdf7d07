using AlarmInbox.Api.Tenants;
using AlarmInbox.Api.Errors;
using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Webhooks;

/// <summary>The webhook endpoints under <c>/api/tenants/{tenantId}/webhooks</c>.</summary>
public static class WebhooksApi
{
    /// <summary>Maps the webhook endpoints.</summary>
    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenants/{tenantId}/webhooks").WithTags("Webhooks")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/", CreateAsync).WithSummary("Creates a webhook; the secret is write-only.");
        group.MapGet("/", ListAsync).WithSummary("Lists the tenant's webhooks (without secrets).");
        group.MapGet("/{webhookId}", GetAsync).WithSummary("Returns one webhook (without its secret).");
        group.MapPut("/{webhookId}", UpdateAsync).WithSummary("Replaces a webhook; an omitted secret keeps the stored one.");
        group.MapDelete("/{webhookId}", DeleteAsync).WithSummary("Deletes a webhook and drops its pending deliveries.");
        return group;
    }

    internal static async Task<Results<Created<WebhookResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(string tenantId, WebhookRequest request, IGrainFactory grains)
    {
        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        // The outbox checks the settings and its limit of webhooks, one create at a time.
        var result = await grains.GetGrain<IWebhookOutboxGrain>(tenantId).CreateWebhookAsync(request.ToSettings());
        return result.ToHttp(created => TypedResults.Created($"/api/tenants/{tenantId}/webhooks/{created.Id}", WebhookResponse.From(created)));
    }

    internal static async Task<Results<Ok<IReadOnlyList<WebhookResponse>>, ProblemHttpResult>> ListAsync(string tenantId, IGrainFactory grains)
    {
        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        var list = await grains.GetGrain<IWebhookOutboxGrain>(tenantId).ListWebhooksAsync();
        return TypedResults.Ok<IReadOnlyList<WebhookResponse>>(list.Select(WebhookResponse.From).ToList());
    }

    internal static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> GetAsync(string tenantId, string webhookId, IGrainFactory grains)
    {
        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        var webhook = (await grains.GetGrain<IWebhookOutboxGrain>(tenantId).ListWebhooksAsync()).FirstOrDefault(w => w.Id == webhookId);
        return webhook is null ? CommandResults.Problem(CommandError.WebhookNotFound(tenantId, webhookId)) : TypedResults.Ok(WebhookResponse.From(webhook));
    }

    internal static async Task<Results<Ok<WebhookResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string tenantId, string webhookId, WebhookRequest request, IGrainFactory grains)
    {
        if (!await grains.TenantExistsAsync(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        var result = await grains.GetGrain<IWebhookOutboxGrain>(tenantId).UpdateWebhookAsync(webhookId, request.ToSettings());
        return result.ToHttp(updated => TypedResults.Ok(WebhookResponse.From(updated)));
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(string tenantId, string webhookId, IGrainFactory grains) =>
        await grains.TenantExistsAsync(tenantId)
            ? (await grains.GetGrain<IWebhookOutboxGrain>(tenantId).DeleteWebhookAsync(webhookId)).ToHttp()
            : Problems.TenantNotFound(tenantId);
}
