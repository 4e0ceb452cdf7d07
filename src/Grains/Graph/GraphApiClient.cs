using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AlarmInbox.Grains.Auth;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Graph;

/// <summary>
/// The Microsoft Graph requests of a Graph mailbox, over plain <see cref="HttpClient"/>: folder lookup, delta pages and raw
/// MIME. Each request carries a token from <see cref="IAccessTokenProvider"/> (cached by MSAL); a token that Graph refuses
/// is replaced once by a fresh one. Every failure leaves as a <see cref="MailboxAccessException"/> classified by
/// <see cref="GraphErrors"/>, except an expired delta link (<see cref="GraphDeltaExpiredException"/>).
/// </summary>
public sealed partial class GraphApiClient(GraphHttpClients clients, IAccessTokenProvider tokens, IOptions<GraphOptions> options, ILogger<GraphApiClient> logger)
{
    private static readonly string[] DeltaFields = ["receivedDateTime"];
    private readonly GraphOptions _options = options.Value;

    /// <summary>Reads a folder by id or well-known name (<c>inbox</c>).</summary>
    /// <exception cref="MailboxAccessException">The request failed (an unknown mailbox, no access, no such folder…).</exception>
    public async Task<GraphFolder> GetFolderAsync(GraphMailboxTarget target, string folderId, GraphErrors.Step step, CancellationToken cancellationToken)
    {
        var url = new Uri(target.BaseUri, $"users/{Escape(target.User)}/mailFolders/{Escape(folderId)}?$select=id,displayName,totalItemCount");
        using var json = await GetJsonAsync(target, url, step, cancellationToken);
        return ReadFolder(json.RootElement);
    }

    /// <summary>
    /// Resolves the configured folder path: <c>Inbox</c> (any letter case) is the well-known Inbox, whatever its display name;
    /// other segments are display names (compared without case) below the previous one, the first one at the top level or,
    /// when not found there, below the Inbox.
    /// </summary>
    /// <exception cref="MailboxAccessException">Code <c>graph_folder_not_found</c> when a segment does not exist; others when a request failed.</exception>
    public async Task<GraphFolder> ResolveFolderAsync(GraphMailboxTarget target, CancellationToken cancellationToken)
    {
        var segments = target.FolderPath.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (segments.Length == 0 || segments is [var only] && only.Equals("inbox", StringComparison.OrdinalIgnoreCase))
        {
            return await GetFolderAsync(target, "inbox", GraphErrors.Step.Folder, cancellationToken);
        }

        GraphFolder? current = null;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (i == 0 && segment.Equals("inbox", StringComparison.OrdinalIgnoreCase))
            {
                current = await GetFolderAsync(target, "inbox", GraphErrors.Step.Folder, cancellationToken);
                continue;
            }

            current = await FindChildAsync(target, current?.Id, segment, cancellationToken)
                ?? (i == 0 ? await FindChildAsync(target, "inbox", segment, cancellationToken) : null)
                ?? throw new MailboxAccessException(MailboxErrorCodes.GraphFolderNotFound,
                    $"Mailbox '{target.User}' has no folder '{segment}'{(current is null ? " at the top level or below the Inbox" : $" below '{current.DisplayName}'")} (folder '{target.FolderPath}').");
        }

        return current!;
    }

    /// <summary>The first request of a new delta round of the folder: only created messages are reported after the first round (<c>changeType=created</c>), with their receive time.</summary>
    public static Uri InitialDeltaUrl(GraphMailboxTarget target, string folderId)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new Uri(target.BaseUri, $"users/{Escape(target.User)}/mailFolders/{Escape(folderId)}/messages/delta?changeType=created&$select={string.Join(',', DeltaFields)}");
    }

    /// <summary>Reads one delta page.</summary>
    /// <param name="target">The mailbox.</param>
    /// <param name="url">The round's first URL, a <c>@odata.nextLink</c> or a <c>@odata.deltaLink</c>; it must point at <see cref="GraphMailboxTarget.BaseUri"/>'s host.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="GraphDeltaExpiredException">Graph no longer knows the link (HTTP 410 or <c>syncStateNotFound</c>).</exception>
    /// <exception cref="MailboxAccessException">The request failed otherwise.</exception>
    public async Task<GraphDeltaPage> GetDeltaPageAsync(GraphMailboxTarget target, Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(url);
        if (!SameOrigin(url, target.BaseUri))
        {
            // The bearer token goes only to the configured Graph host.
            throw new MailboxAccessException(MailboxErrorCodes.GraphRequestFailed, $"Microsoft Graph sent a page link to another host ({url.Host}); it was not followed.");
        }

        using var json = await GetJsonAsync(target, url, GraphErrors.Step.Delta, cancellationToken);
        var root = json.RootElement;
        var messages = new List<GraphMessageRef>();
        if (root.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || Text(item, "id") is not { Length: > 0 } id)
                {
                    continue;
                }

                DateTimeOffset? received = Text(item, "receivedDateTime") is { } r
                    && DateTimeOffset.TryParse(r, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
                messages.Add(new GraphMessageRef(id, received, item.TryGetProperty("@removed", out _)));
            }
        }

        var next = Text(root, "@odata.nextLink");
        var delta = Text(root, "@odata.deltaLink");
        if (next is null && delta is null)
        {
            throw new MailboxAccessException(MailboxErrorCodes.GraphRequestFailed, "Microsoft Graph answered a delta request without @odata.nextLink or @odata.deltaLink.");
        }

        return new GraphDeltaPage(messages, next, delta);
    }

    /// <summary>The newest <paramref name="count"/> messages of the folder, newest first (for a backfill at creation).</summary>
    /// <exception cref="MailboxAccessException">The request failed.</exception>
    public async Task<IReadOnlyList<GraphMessageRef>> GetNewestAsync(GraphMailboxTarget target, string folderId, int count, CancellationToken cancellationToken)
    {
        var url = new Uri(target.BaseUri, $"users/{Escape(target.User)}/mailFolders/{Escape(folderId)}/messages?$orderby=receivedDateTime%20desc&$top={count.ToString(CultureInfo.InvariantCulture)}&$select=receivedDateTime");
        using var json = await GetJsonAsync(target, url, GraphErrors.Step.Delta, cancellationToken);
        var list = new List<GraphMessageRef>();
        foreach (var item in Items(json.RootElement))
        {
            if (Text(item, "id") is { Length: > 0 } id)
            {
                list.Add(new GraphMessageRef(id, Text(item, "receivedDateTime") is { } r && DateTimeOffset.TryParse(r, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null, false));
            }
        }

        return list;
    }

    /// <summary>
    /// Reads a message as raw MIME (RFC 5322 bytes, not parsed here). A message larger than
    /// <see cref="GraphOptions.MaxMessageBytes"/> is read only up to that limit and returned <see cref="GraphMail.Partial"/>,
    /// like an IMAP mail above <c>AlarmInbox:Imap:MaxMessageBytes</c>: the alarm text at its start still raises the alarm,
    /// and one oversized mail neither stops the mailbox nor costs more memory than the limit.
    /// </summary>
    /// <returns>The message, or <see langword="null"/> when it no longer exists (deleted or moved since the delta page listed it).</returns>
    /// <exception cref="MailboxAccessException">The request failed.</exception>
    public async Task<GraphMail?> GetMimeAsync(GraphMailboxTarget target, GraphMessageRef message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var url = new Uri(target.BaseUri, $"users/{Escape(target.User)}/messages/{Escape(message.Id)}/$value");
        using var response = await SendAsync(target, url, GraphErrors.Step.Mime, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response is null)
        {
            return null;
        }

        var max = _options.MaxMessageBytes;
        var announced = response.Content.Headers.ContentLength;
        var buffer = new MemoryStream((int)Math.Min(announced ?? 81_920, max));
        var complete = await GraphErrors.GuardAsync(async () =>
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var chunk = new byte[81_920];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                var keep = (int)Math.Min(read, max - buffer.Length);
                buffer.Write(chunk, 0, keep);
                if (keep < read)
                {
                    // The rest is not read: disposing the response closes the connection.
                    return false;
                }
            }

            return true;
        }, target, GraphErrors.Step.Mime, cancellationToken);
        if (complete)
        {
            return new GraphMail(message.Id, message.ReceivedAt, buffer.ToArray());
        }

        var size = Math.Max(announced ?? 0, buffer.Length + 1);
        LogTooLarge(logger, target.App.ClientId, size, max);
        return new GraphMail(message.Id, message.ReceivedAt, buffer.ToArray(), Partial: true, FullSize: size);
    }

    private async Task<GraphFolder?> FindChildAsync(GraphMailboxTarget target, string? parentId, string displayName, CancellationToken cancellationToken)
    {
        // OData string literal: a quote is doubled.
        var filter = Uri.EscapeDataString($"displayName eq '{displayName.Replace("'", "''", StringComparison.Ordinal)}'");
        var path = parentId is null ? "mailFolders" : $"mailFolders/{Escape(parentId)}/childFolders";
        var url = new Uri(target.BaseUri, $"users/{Escape(target.User)}/{path}?$filter={filter}&$select=id,displayName,totalItemCount");
        using var json = await GetJsonAsync(target, url, GraphErrors.Step.Folder, cancellationToken);
        return Items(json.RootElement).Select(ReadFolder).FirstOrDefault(f => f.DisplayName.Equals(displayName, StringComparison.OrdinalIgnoreCase));
    }

    private async Task<JsonDocument> GetJsonAsync(GraphMailboxTarget target, Uri url, GraphErrors.Step step, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(target, url, step, HttpCompletionOption.ResponseContentRead, cancellationToken)
            ?? throw GraphErrors.NotFound(target, step);
        return await GraphErrors.GuardAsync(async () =>
        {
            try
            {
                return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            }
            catch (JsonException ex)
            {
                throw new MailboxAccessException(MailboxErrorCodes.GraphRequestFailed, $"Microsoft Graph answered {url.AbsolutePath} with something that is not JSON: {ex.Message}", ex);
            }
        }, target, step, cancellationToken);
    }

    /// <summary>Sends a GET with a token; a 401 with a cached token is retried once with a fresh one.</summary>
    /// <returns>The successful response, or <see langword="null"/> for a 404 on a message (<see cref="GraphErrors.Step.Mime"/>).</returns>
    private async Task<HttpResponseMessage?> SendAsync(GraphMailboxTarget target, Uri url, GraphErrors.Step step, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(target.App, forceRefresh: false, target.IgnoreTokenErrorPause, cancellationToken);
        var response = await SendOnceAsync(target, url, token, step, completion, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized && token.FromCache)
        {
            response.Dispose();
            LogCachedTokenRejected(logger, target.App.ClientId);
            token = await tokens.GetTokenAsync(target.App, forceRefresh: true, target.IgnoreTokenErrorPause, cancellationToken);
            response = await SendOnceAsync(target, url, token, step, completion, cancellationToken);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await GraphErrors.GuardAsync(() => response.Content.ReadAsStringAsync(cancellationToken), target, step, cancellationToken);
            var error = GraphErrors.ReadError(body);
            if (response.StatusCode == HttpStatusCode.Gone || GraphErrors.IsSyncStateExpired(error.Code))
            {
                throw new GraphDeltaExpiredException($"HTTP {(int)response.StatusCode} {error.Code}: {error.Message}");
            }

            if (step == GraphErrors.Step.Mime && response.StatusCode == HttpStatusCode.NotFound && error.Code is "ErrorItemNotFound" or "ResourceNotFound")
            {
                return null;
            }

            LogRequestFailed(logger, target.App.ClientId, step.ToString(), (int)response.StatusCode, error.Code);
            throw GraphErrors.Classify(response.StatusCode, error, RetryAfter(response.Headers.RetryAfter), target, step);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(GraphMailboxTarget target, Uri url, AccessToken token, GraphErrors.Step step, HttpCompletionOption completion, CancellationToken cancellationToken) =>
        GraphErrors.GuardAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            if (step == GraphErrors.Step.Delta)
            {
                request.Headers.TryAddWithoutValidation("Prefer", $"odata.maxpagesize={_options.DeltaPageSize.ToString(CultureInfo.InvariantCulture)}");
            }

            return await clients.For(target.PinnedCertificateSha256).SendAsync(request, completion, cancellationToken);
        }, target, step, cancellationToken);

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) =>
        header?.Delta ?? (header?.Date is { } date ? (date - DateTimeOffset.UtcNow) is { Ticks: > 0 } wait ? wait : TimeSpan.Zero : null);

    private static bool SameOrigin(Uri url, Uri baseUri) =>
        url.IsAbsoluteUri && url.Scheme == Uri.UriSchemeHttps && string.Equals(url.Host, baseUri.Host, StringComparison.OrdinalIgnoreCase) && url.Port == baseUri.Port;

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static IEnumerable<JsonElement> Items(JsonElement root) =>
        root.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object) : [];

    private static GraphFolder ReadFolder(JsonElement folder) => new(
        Text(folder, "id") ?? "",
        Text(folder, "displayName") ?? "",
        folder.TryGetProperty("totalItemCount", out var count) && count.TryGetInt32(out var n) ? n : 0);

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Microsoft Graph refused a cached token of app {ClientId}; trying once with a fresh token")]
    private static partial void LogCachedTokenRejected(ILogger logger, string clientId);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Warning, Message = "A message for app {ClientId} has at least {Bytes} bytes, more than AlarmInbox:Graph:MaxMessageBytes ({Max}); only its first {Max} bytes are read and alarmed")]
    private static partial void LogTooLarge(ILogger logger, string clientId, long bytes, long max);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Debug, Message = "Microsoft Graph request of app {ClientId} ({Step}) failed with HTTP {Status} {GraphCode}")]
    private static partial void LogRequestFailed(ILogger logger, string clientId, string step, int status, string graphCode);
}
