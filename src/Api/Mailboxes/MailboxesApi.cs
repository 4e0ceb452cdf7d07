using AlarmInbox.Api.Tenants;
using AlarmInbox.Api.Errors;
using AlarmInbox.Grains.Interfaces.Ids;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlarmInbox.Api.Mailboxes;

/// <summary>The mailbox endpoints under <c>/api/tenants/{tenantId}/mailboxes</c>.</summary>
public static class MailboxesApi
{
    /// <summary>Maps the mailbox endpoints.</summary>
    public static RouteGroupBuilder MapMailboxesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenants/{tenantId}/mailboxes").WithTags("Mailboxes")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/", CreateAsync).WithSummary("Creates a mailbox; its watermark starts at the folder's current UIDNEXT (less an optional backfill).");
        group.MapGet("/", ListAsync).WithSummary("Lists the tenant's mailboxes with their status.");
        group.MapGet("/{mailboxId}", GetAsync).WithSummary("Returns a mailbox's config (without secrets) and status.");
        group.MapPut("/{mailboxId}", UpdateAsync).WithSummary("Replaces a mailbox's config; an omitted password keeps the stored one.");
        group.MapDelete("/{mailboxId}", DeleteAsync).WithSummary("Deletes a mailbox with its watermark and stored messages.");
        group.MapPost("/{mailboxId}/poll", PollAsync).WithSummary("Polls now and returns what the poll did.");
        group.MapPost("/{mailboxId}/pause", PauseAsync).WithSummary("Stops polling until resumed.");
        group.MapPost("/{mailboxId}/resume", ResumeAsync).WithSummary("Resumes polling.");
        group.MapGet("/{mailboxId}/messages", MessagesAsync).WithSummary("Returns the newest stored messages, newest first.");
        return group;
    }

    internal static async Task<Results<Created<MailboxResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string tenantId, MailboxRequest request, IGrainFactory grains)
    {
        if (!TenantValidator.IsValidId(tenantId))
        {
            return Problems.TenantNotFound(tenantId);
        }

        var result = await grains.GetGrain<ITenantGrain>(tenantId).CreateMailboxAsync(request.ToSettings(), request.Backfill ?? 0);
        return result.ToHttp(created => TypedResults.Created($"/api/tenants/{tenantId}/mailboxes/{created.Config.Id}", MailboxResponse.From(created)));
    }

    internal static async Task<Results<Ok<IReadOnlyList<MailboxResponse>>, ProblemHttpResult>> ListAsync(string tenantId, IGrainFactory grains)
    {
        var list = TenantValidator.IsValidId(tenantId) ? await grains.GetGrain<ITenantGrain>(tenantId).ListMailboxesAsync() : null;
        return list is null
            ? Problems.TenantNotFound(tenantId)
            : TypedResults.Ok<IReadOnlyList<MailboxResponse>>(list.Select(MailboxResponse.From).ToList());
    }

    internal static async Task<Results<Ok<MailboxResponse>, ProblemHttpResult>> GetAsync(string tenantId, string mailboxId, IGrainFactory grains)
    {
        var details = await OwnedAsync(grains, tenantId, mailboxId) is { } mailbox ? await mailbox.GetAsync() : null;
        return details is null ? Problems.MailboxNotFound(tenantId, mailboxId) : TypedResults.Ok(MailboxResponse.From(details));
    }

    internal static async Task<Results<Ok<MailboxResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string tenantId, string mailboxId, MailboxRequest request, IGrainFactory grains)
    {
        if (request.Backfill is not null)
        {
            // Not a setting of a mailbox but of its creation: the update has no such field to hand to the grain.
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["backfill"] = ["backfill can only be given when creating a mailbox."] });
        }

        if (!EntityIds.HasPrefix(mailboxId, EntityIds.Mailbox))
        {
            // Addresses no mailbox: no grain is activated for it.
            return Problems.MailboxNotFound(tenantId, mailboxId);
        }

        // The mailbox checks that it is this tenant's and the settings, once.
        var result = await grains.GetGrain<IMailboxGrain>(mailboxId).UpdateAsync(tenantId, request.ToSettings());
        return result.ToHttp(updated => TypedResults.Ok(MailboxResponse.From(updated)));
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(string tenantId, string mailboxId, IGrainFactory grains) =>
        TenantValidator.IsValidId(tenantId)
            ? (await grains.GetGrain<ITenantGrain>(tenantId).DeleteMailboxAsync(mailboxId)).ToHttp()
            : Problems.MailboxNotFound(tenantId, mailboxId);

    internal static async Task<Results<Ok<PollResponse>, ProblemHttpResult>> PollAsync(string tenantId, string mailboxId, IGrainFactory grains)
    {
        var result = await OwnedAsync(grains, tenantId, mailboxId) is { } mailbox ? await mailbox.PollNowAsync() : null;
        return result is null ? Problems.MailboxNotFound(tenantId, mailboxId) : TypedResults.Ok(PollResponse.From(result));
    }

    internal static async Task<Results<Ok<MailboxResponse>, ValidationProblem, ProblemHttpResult>> PauseAsync(string tenantId, string mailboxId, IGrainFactory grains) =>
        EntityIds.HasPrefix(mailboxId, EntityIds.Mailbox)
            ? (await grains.GetGrain<IMailboxGrain>(mailboxId).PauseAsync(tenantId)).ToHttp(paused => TypedResults.Ok(MailboxResponse.From(paused)))
            : Problems.MailboxNotFound(tenantId, mailboxId);

    internal static async Task<Results<Ok<MailboxResponse>, ValidationProblem, ProblemHttpResult>> ResumeAsync(string tenantId, string mailboxId, IGrainFactory grains) =>
        EntityIds.HasPrefix(mailboxId, EntityIds.Mailbox)
            ? (await grains.GetGrain<IMailboxGrain>(mailboxId).ResumeAsync(tenantId)).ToHttp(resumed => TypedResults.Ok(MailboxResponse.From(resumed)))
            : Problems.MailboxNotFound(tenantId, mailboxId);

    internal static async Task<Results<Ok<IReadOnlyList<MessageResponse>>, ValidationProblem, ProblemHttpResult>> MessagesAsync(
        string tenantId, string mailboxId, IGrainFactory grains, int limit = 50)
    {
        if (limit is < 1 or > MailboxLimits.MaxMessagesPage)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"limit must be between 1 and {MailboxLimits.MaxMessagesPage}."],
            });
        }

        var messages = await OwnedAsync(grains, tenantId, mailboxId) is { } mailbox ? await mailbox.GetMessagesAsync(limit) : null;
        return messages is null
            ? Problems.MailboxNotFound(tenantId, mailboxId)
            : TypedResults.Ok<IReadOnlyList<MessageResponse>>(messages.Select(MessageResponse.Create).ToList());
    }

    /// <summary>The mailbox grain if <paramref name="mailboxId"/> belongs to <paramref name="tenantId"/>, else <see langword="null"/>.</summary>
    private static async Task<IMailboxGrain?> OwnedAsync(IGrainFactory grains, string tenantId, string mailboxId) =>
        await grains.OwnsMailboxAsync(tenantId, mailboxId)
            ? grains.GetGrain<IMailboxGrain>(mailboxId)
            : null;
}
