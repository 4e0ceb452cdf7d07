using Microsoft.AspNetCore.Authentication;

namespace AlarmInbox.Api.Console;

/// <summary>Creates <see cref="ConsoleApiClient"/>s for a console request, with the session's API key or a given one.</summary>
public sealed class ConsoleApiFactory(ApiPipeline pipeline, IServiceScopeFactory scopes)
{
    /// <summary>A client that sends <paramref name="apiKey"/> as its bearer token (sign-in), or none.</summary>
    public ConsoleApiClient Create(HttpContext context, string? apiKey)
    {
        var handler = new InProcessApiHandler(pipeline, scopes, context);
        var http = new HttpClient(handler) { BaseAddress = new Uri("http://console.invalid/") };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        }

        return new ConsoleApiClient(http);
    }

    /// <summary>A client with the signed-in session's API key, or null when the request has no session.</summary>
    public async Task<ConsoleApiClient?> ForSessionAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(ConsoleAuth.Scheme);
        return result.Succeeded && result.Properties.Items.TryGetValue(ConsoleAuth.KeyItem, out var key) && key is not null
            ? Create(context, key)
            : null;
    }
}
