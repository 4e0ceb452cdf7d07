using System.Security.Claims;
using AlarmInbox.Api.Security;
using AlarmInbox.Api.Telemetry;
using AlarmInbox.Grains.Interfaces.Security;

namespace AlarmInbox.Api.Audit;

/// <summary>
/// Records every changing request (POST, PUT, PATCH, DELETE) and every refused request of a known key (403, and the
/// 404 a tenant admin gets for another tenant) in the audit log: key id, method, route pattern, tenant and mailbox ids,
/// status, time; never bodies, query strings or headers. Requests without a valid key that are refused (401) are not
/// audited, so nobody without a key can fill the log. Runs after rate limiting, so a rate-limited request (429) writes
/// nothing either. Entries are written by <see cref="AuditWriter"/>.
/// A request is audited once: a web console request whose in-process API calls were audited (see
/// <see cref="AuditedItem"/>) gets no entry of its own, so a console form post leaves the API call's entry only.
/// </summary>
/// <remarks>Refused requests are counted (<c>alarminbox.api.requests.refused</c>, 429 by the rate limiter's rejection handler) and logged at Debug only: they are routine on a public endpoint.</remarks>
public sealed partial class AuditMiddleware(RequestDelegate next, AuditWriter writer, TimeProvider time, ApiMetrics metrics, ILogger<AuditMiddleware> logger)
{
    /// <summary>
    /// The <see cref="HttpContext.Items"/> key set on a request that has an audit entry, either its own or that of a
    /// request made on its behalf (the web console's in-process API calls copy it to the console request).
    /// </summary>
    public const string AuditedItem = "alarminbox.audited";

    /// <summary>Runs the request, then queues its entry when it is one to audit.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        if (context.Items.ContainsKey(AuditedItem))
        {
            return;
        }

        var status = context.Response.StatusCode;
        var method = context.Request.Method;
        var changing = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
        var refused = status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden or StatusCodes.Status429TooManyRequests
            || context.Items.ContainsKey(ApiAuthorizationResultHandler.OtherTenantRefused);
        if (!changing && !refused)
        {
            return;
        }

        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
        if (refused)
        {
            metrics.Refused(status);
            LogRefused(logger, method, route, status);
        }

        var keyId = context.User.FindFirstValue(ApiClaims.KeyId);
        if (keyId is null && status is StatusCodes.Status401Unauthorized)
        {
            // Without a valid key: counted and logged above, never appended (a flood of them must not wash the log).
            return;
        }

        writer.Enqueue(new AuditEntry(
            time.GetUtcNow(),
            keyId,
            method,
            route.Length > 200 ? route[..200] : route,
            Short(context.GetRouteValue("tenantId") as string),
            Short(context.GetRouteValue("mailboxId") as string),
            status));
        context.Items[AuditedItem] = true;
    }

    // Route values come from the caller; an over-long one is cut so the log stays bounded.
    private static string? Short(string? value) => value is null ? null : value.Length > 100 ? value[..100] : value;

    [LoggerMessage(EventId = 6010, Level = LogLevel.Debug, Message = "Refused {Method} {Route} -> {Status}")]
    private static partial void LogRefused(ILogger logger, string method, string route, int status);
}
