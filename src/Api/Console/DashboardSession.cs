using AlarmInbox.Api.Security;
using Microsoft.AspNetCore.Authentication;

namespace AlarmInbox.Api.Console;

/// <summary>
/// Opens the Orleans Dashboard (<c>/dashboard</c>) from an operator's console session: a request there without an
/// API key of its own gets the session's key as its bearer token, so the dashboard keeps the API's rule (operators
/// only) and nothing else changes. Only GET and HEAD, and only with the SameSite=Strict session cookie.
/// </summary>
internal static class DashboardSession
{
    internal static async Task ForwardKeyAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments(Dashboard.DashboardExtensions.Path)
            && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            && context.Request.Headers.Authorization.Count == 0
            && context.Request.Headers[ApiKeyAuthenticationHandler.ApiKeyHeader].Count == 0
            && context.Request.Cookies.ContainsKey(ConsoleAuth.CookieName))
        {
            var session = await context.AuthenticateAsync(ConsoleAuth.Scheme);
            if (session.Succeeded && session.Principal.IsInRole(ApiClaims.OperatorRole)
                && session.Properties.Items.TryGetValue(ConsoleAuth.KeyItem, out var key) && key is not null)
            {
                context.Request.Headers.Authorization = "Bearer " + key;
            }
        }

        await next(context);
    }
}
