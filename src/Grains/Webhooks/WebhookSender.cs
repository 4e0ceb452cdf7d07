using System.Net.Http.Headers;
using AlarmInbox.Grains.Egress;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Webhooks;

/// <summary>POSTs one signed webhook body; the I/O edge of delivery. Uses the named client <see cref="ClientName"/> of <see cref="IHttpClientFactory"/>.</summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<WebhookOptions> options)
{
    /// <summary>The named <see cref="HttpClient"/>.</summary>
    public const string ClientName = "alarminbox-webhooks";

    private readonly TimeSpan _timeout = options.Value.AttemptTimeout;

    /// <summary>Sends one attempt.</summary>
    /// <param name="url">The webhook URL.</param>
    /// <param name="secret">The HMAC key.</param>
    /// <param name="body">The JSON body (signed as is).</param>
    /// <param name="idempotencyKey">The <c>Idempotency-Key</c> header.</param>
    /// <param name="eventName">The <c>X-AlarmInbox-Event</c> header.</param>
    /// <param name="cancellationToken">Cancels the attempt (deactivation).</param>
    /// <returns>Whether the receiver answered 2xx, its status and otherwise what went wrong.</returns>
    public async Task<WebhookAttempt> SendAsync(string url, string secret, byte[] body, string idempotencyKey, string eventName, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Compute(secret, body));
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        request.Headers.Add("X-AlarmInbox-Event", eventName);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new WebhookAttempt(true, status, null)
                // Not the reason phrase: it is the receiver's text, and a tenant admin must not read other services' banners here.
                : new WebhookAttempt(false, status, $"The receiver answered {status}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookAttempt(false, null, $"No answer within {_timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex) when (ex.InnerException is EgressDeniedException denied)
        {
            return new WebhookAttempt(false, null, $"{EgressPolicy.DeniedCode}: {denied.Message}");
        }
        catch (HttpRequestException ex)
        {
            // The error kind only: the exception's message can quote what a non-HTTP service sent (an invalid status line).
            return new WebhookAttempt(false, null, $"The request failed: {ex.HttpRequestError}.");
        }
    }
}

/// <summary>The outcome of one attempt.</summary>
/// <param name="Succeeded">Whether the receiver answered 2xx.</param>
/// <param name="StatusCode">The HTTP status, or <see langword="null"/> without an answer.</param>
/// <param name="Error">What went wrong, or <see langword="null"/>.</param>
public sealed record WebhookAttempt(bool Succeeded, int? StatusCode, string? Error);
