using System.Globalization;
using System.Text;
using AlarmInbox.Api.Alarms;
using AlarmInbox.Api.Tenants;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Api.Console.Feed;

/// <summary>
/// The live alarm feed of the console: <c>GET /t/{tenantId}/alarms/feed</c> as server-sent events. Each new or updated
/// alarm is one <c>alarm</c> event whose data is the rendered list item (<see cref="AlarmRow"/>). The page's key first
/// reads the tenant's alarms through the REST API (so the tenant rule applies); then the page joins the process-wide
/// <see cref="AlarmFeedHub"/> (one stream subscription per tenant, fanned out to its pages) and checks its key again
/// every <see cref="ConsoleOptions.FeedKeyCheckInterval"/>; a key that no longer works ends the feed with a
/// <c>signedout</c> event.
/// </summary>
public static class AlarmFeedEndpoint
{
    /// <summary>Maps the feed; it needs a console session.</summary>
    public static RouteHandlerBuilder MapAlarmFeed(this IEndpointRouteBuilder app) =>
        app.MapGet("/t/{tenantId}/alarms/feed", StreamAsync).RequireAuthorization(ConsoleAuth.Policy).ExcludeFromDescription();

    private static async Task StreamAsync(
        string tenantId, string? since, HttpContext context, ConsoleApiFactory factory, AlarmFeedHub hub, IOptions<ConsoleOptions> options,
        IStringLocalizer<ConsoleText> text, TimeProvider time)
    {
        var cancellationToken = context.RequestAborted;
        var api = await factory.ForSessionAsync(context);
        if (api is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var cursor = DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : time.GetUtcNow();
        var first = await ListAsync(api, tenantId, cursor, cancellationToken);
        if (!first.Succeeded)
        {
            context.Response.StatusCode = first.Status;
            return;
        }

        // Join before the first list is sent, so that nothing evaluated in between is missed; the page drops repeats.
        await using var page = await hub.JoinAsync(tenantId, api, cursor);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync(": feed\n\n", cancellationToken);
        try
        {
            await WriteAsync(context, first.Value ?? [], tenantId, seen, text, cancellationToken);
            var nextCheck = time.GetUtcNow() + options.Value.FeedKeyCheckInterval;
            while (!cancellationToken.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(Max(nextCheck - time.GetUtcNow(), TimeSpan.Zero));
                try
                {
                    if (await page.Alarms.WaitToReadAsync(wait.Token))
                    {
                        var batch = new List<AlarmResponse>();
                        while (page.Alarms.TryRead(out var alarm))
                        {
                            batch.Add(alarm);
                        }

                        await WriteAsync(context, batch, tenantId, seen, text, cancellationToken);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Time to check the key again.
                }

                if (time.GetUtcNow() >= nextCheck)
                {
                    var check = await api.GetAsync<TenantResponse>($"api/tenants/{Uri.EscapeDataString(tenantId)}", cancellationToken);
                    if (check.Status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound)
                    {
                        await context.Response.WriteAsync("event: signedout\ndata: -\n\n", cancellationToken);
                        return;
                    }

                    nextCheck = time.GetUtcNow() + options.Value.FeedKeyCheckInterval;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The browser closed the page.
        }
    }

    private static async Task WriteAsync(
        HttpContext context, IEnumerable<AlarmResponse> alarms, string tenantId, Dictionary<string, int> seen, IStringLocalizer text, CancellationToken cancellationToken)
    {
        foreach (var alarm in alarms.OrderBy(a => a.EvaluatedAt))
        {
            if (seen.TryGetValue(alarm.Id, out var revision) && revision >= alarm.Revision)
            {
                continue;
            }

            seen[alarm.Id] = alarm.Revision;
            var html = AlarmRow.Render(alarm, tenantId, text).Replace("\n", " ", StringComparison.Ordinal);
            await context.Response.WriteAsync(new StringBuilder("event: alarm\ndata: ").Append(html).Append("\n\n").ToString(), cancellationToken);
        }

        await context.Response.Body.FlushAsync(cancellationToken);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static Task<ApiResult<List<AlarmResponse>>> ListAsync(ConsoleApiClient api, string tenantId, DateTimeOffset since, CancellationToken cancellationToken) =>
        api.GetAsync<List<AlarmResponse>>(
            $"api/tenants/{Uri.EscapeDataString(tenantId)}/alarms?limit=50&since={Uri.EscapeDataString(since.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))}",
            cancellationToken);
}
