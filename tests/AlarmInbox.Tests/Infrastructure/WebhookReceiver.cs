using System.Collections.Concurrent;
using System.Net;
using AlarmInbox.Grains.Webhooks;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on loopback (<see cref="HttpListener"/> on a free port) that receives webhook POSTs, checks each
/// signature with <see cref="Secret"/>, and answers 500 to the first <see cref="FailFirst"/> requests, 200 after.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _requests;

    /// <summary>Starts listening.</summary>
    public WebhookReceiver(string secret = "whsec-0123456789abcdef-test", int failFirst = 0)
    {
        Secret = secret;
        FailFirst = failFirst;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The HMAC secret the receiver expects.</summary>
    public string Secret { get; }

    /// <summary>How many requests are answered 500 before the first 200.</summary>
    public int FailFirst { get; }

    /// <summary>While <see langword="true"/>, every request is answered 503 (a receiver that is down).</summary>
    public bool Down { get; set; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The URL to register as webhook.</summary>
    public string Url => $"http://127.0.0.1:{Port}/hooks/alarminbox";

    /// <summary>Every request, in arrival order.</summary>
    public ConcurrentQueue<ReceivedWebhook> Requests { get; } = new();

    /// <summary>The requests answered 200.</summary>
    public IReadOnlyList<ReceivedWebhook> Accepted => Requests.Where(r => r.Answered == 200).ToList();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Close alone: on Linux, Stop and then Close each unregister the prefix, and the second finds no endpoint and
        // binds the port again to remove it — "Address already in use" when another receiver has got the port meanwhile.
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var bytes = body.ToArray();
            var number = Interlocked.Increment(ref _requests);
            var status = Down ? 503 : number <= FailFirst ? 500 : 200;
            Requests.Enqueue(new ReceivedWebhook(
                context.Request.Headers["Idempotency-Key"],
                context.Request.Headers["X-AlarmInbox-Event"],
                WebhookSignature.Verify(Secret, bytes, context.Request.Headers[WebhookSignature.HeaderName]),
                context.Request.ContentType,
                System.Text.Encoding.UTF8.GetString(bytes),
                status,
                DateTimeOffset.UtcNow));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }
}

/// <summary>One received POST.</summary>
/// <param name="IdempotencyKey">The Idempotency-Key header.</param>
/// <param name="Event">The X-AlarmInbox-Event header.</param>
/// <param name="SignatureValid">Whether X-AlarmInbox-Signature matched the body.</param>
/// <param name="ContentType">The Content-Type header.</param>
/// <param name="Body">The body.</param>
/// <param name="Answered">The status the receiver answered.</param>
/// <param name="At">When it arrived.</param>
public sealed record ReceivedWebhook(string? IdempotencyKey, string? Event, bool SignatureValid, string? ContentType, string Body, int Answered, DateTimeOffset At);
