using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http.Features;

namespace AlarmInbox.Api.Console;

/// <summary>
/// Sends an <see cref="HttpRequestMessage"/> through the API's own pipeline inside this process, as a new request with
/// its own <see cref="HttpContext"/> and service scope. The caller's remote address is kept, so rate limits by address
/// apply to the browser behind the console, not to the console as a whole. When the API call is audited, the console
/// request is marked so that it is not audited a second time (<see cref="Audit.AuditMiddleware.AuditedItem"/>).
/// </summary>
internal sealed class InProcessApiHandler(ApiPipeline pipeline, IServiceScopeFactory scopes, HttpContext caller) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The console page runs in the user's language; the API answers in its own, whatever the caller's culture.
        CultureInfo.CurrentCulture = pipeline.ApiCulture;
        CultureInfo.CurrentUICulture = pipeline.ApiCulture;

        var uri = request.RequestUri ?? throw new ArgumentException("The request needs a URI.", nameof(request));
        byte[]? body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var requestFeature = new HttpRequestFeature
        {
            Method = request.Method.Method,
            Scheme = caller.Request.Scheme,
            Protocol = "HTTP/1.1",
            PathBase = "",
            Path = Uri.UnescapeDataString(uri.AbsolutePath),
            RawTarget = uri.PathAndQuery,
            QueryString = uri.Query,
            Body = body is null ? Stream.Null : new MemoryStream(body, writable: false),
        };
        requestFeature.Headers.Host = caller.Request.Host.ToString();
        foreach (var (name, values) in request.Headers)
        {
            requestFeature.Headers[name] = values.ToArray();
        }

        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers)
            {
                requestFeature.Headers[name] = values.ToArray();
            }

            requestFeature.Headers.ContentLength = body!.Length;
        }

        using var responseBody = new MemoryStream();
        var responseFeature = new HttpResponseFeature();
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(requestFeature);
        features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(body is not null));
        features.Set<IHttpResponseFeature>(responseFeature);
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(responseBody));
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = cancellationToken });
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = "console-" + Guid.NewGuid().ToString("N")[..12],
            RemoteIpAddress = caller.Connection.RemoteIpAddress ?? IPAddress.Loopback,
            LocalIpAddress = IPAddress.Loopback,
        });

        var context = new DefaultHttpContext(features) { ServiceScopeFactory = scopes };
        try
        {
            await pipeline.Pipeline(context);
            if (context.Items.ContainsKey(Audit.AuditMiddleware.AuditedItem))
            {
                caller.Items[Audit.AuditMiddleware.AuditedItem] = true;
            }
        }
        finally
        {
            if (context.Features.Get<IServiceProvidersFeature>() is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }

        var response = new HttpResponseMessage((HttpStatusCode)responseFeature.StatusCode)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(responseBody.ToArray()),
        };
        foreach (var (name, values) in responseFeature.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                response.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        return response;
    }

    private sealed class BodyDetection(bool canHaveBody) : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody { get; } = canHaveBody;
    }
}
