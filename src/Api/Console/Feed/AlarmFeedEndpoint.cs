using System.Globalization;
using System.Text;
using AlarmInbox.Api.Alarms;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Api.Console.Feed;

/// <summary>
/// The live alarm feed of the console: <c>GET /t/{tenantId}/alarms/feed</c> as server-sent events. Each new or updated
/// alarm is one <c>alarm</c> event whose data is the rendered list item (<see cref="AlarmRow"/>); the feed asks the REST
/// API (with the session's key, so with its tenant rule) every <see cref="ConsoleOptions.FeedInterval"/>.
/// </summary>
public static class AlarmFeedEndpoint
{
    /// <summary>Maps the feed; it needs a console session.</summary>
    public static RouteHandlerBuilder MapAlarmFeed(this IEndpointRouteBuilder app) =>
        app.MapGet("/t/{tenantId}/alarms/feed", StreamAsync).RequireAuthorization(ConsoleAuth.Policy).ExcludeFromDescription();

    private static async Task StreamAsync(
        string tenantId, string? since, HttpContext context, ConsoleApiFactory factory, IOptions<ConsoleOptions> options,
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
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var alarms = await ListAsync(api, tenantId, cursor, cancellationToken);
        if (!alarms.Succeeded)
        {
            context.Response.StatusCode = alarms.Status;
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync(": feed\n\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (alarms.Status == StatusCodes.Status401Unauthorized)
                {
                    await context.Response.WriteAsync("event: signedout\ndata: -\n\n", cancellationToken);
                    return;
                }

                foreach (var alarm in (alarms.Value ?? []).OrderBy(a => a.EvaluatedAt))
                {
                    if (seen.TryGetValue(alarm.Id, out var revision) && revision == alarm.Revision)
                    {
                        continue;
                    }

                    seen[alarm.Id] = alarm.Revision;
                    cursor = alarm.EvaluatedAt > cursor ? alarm.EvaluatedAt : cursor;
                    var html = AlarmRow.Render(alarm, tenantId, text).Replace("\n", " ", StringComparison.Ordinal);
                    await context.Response.WriteAsync(new StringBuilder("event: alarm\ndata: ").Append(html).Append("\n\n").ToString(), cancellationToken);
                }

                await context.Response.Body.FlushAsync(cancellationToken);
                await Task.Delay(options.Value.FeedInterval, time, cancellationToken);
                alarms = await ListAsync(api, tenantId, cursor, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The browser closed the page.
        }
    }

    private static Task<ApiResult<List<AlarmResponse>>> ListAsync(ConsoleApiClient api, string tenantId, DateTimeOffset since, CancellationToken cancellationToken) =>
        api.GetAsync<List<AlarmResponse>>(
            $"api/tenants/{Uri.EscapeDataString(tenantId)}/alarms?limit=50&since={Uri.EscapeDataString(since.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))}",
            cancellationToken);
}
