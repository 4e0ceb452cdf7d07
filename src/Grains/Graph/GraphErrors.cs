using System.Globalization;
using System.Net;
using System.Security.Authentication;
using System.Text.Json;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Graph;

/// <summary>
/// Turns every failure of a Microsoft Graph request into a stable code with a sentence for the admin, in one place (like
/// <see cref="MailKitImapConnector"/>'s Guard/Classify for IMAP): HTTP status plus Graph's error code
/// (<c>{"error":{"code":…,"message":…}}</c>), network and TLS failures, timeouts.
/// </summary>
public static class GraphErrors
{
    /// <summary>What a request was for; decides how a 404 is read.</summary>
    public enum Step
    {
        /// <summary>The mailbox lookup (its Inbox).</summary>
        Mailbox,

        /// <summary>Resolving the folder path.</summary>
        Folder,

        /// <summary>A delta page (or the newest messages for a backfill).</summary>
        Delta,

        /// <summary>A message's raw MIME.</summary>
        Mime,
    }

    /// <summary>Graph's error code and message; empty strings when the body has none.</summary>
    /// <param name="Code">The <c>error.code</c>, e.g. <c>ErrorAccessDenied</c>.</param>
    /// <param name="Message">The <c>error.message</c>.</param>
    public sealed record GraphError(string Code, string Message);

    /// <summary>Reads Graph's error body (OData JSON error format); tolerates anything else.</summary>
    public static GraphError ReadError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
                return new GraphError(Text(error, "code"), Shorten(Text(error, "message")));
            }
        }
        catch (JsonException)
        {
            // A proxy's HTML page: the status code says enough.
        }

        return new GraphError("", Shorten(body));
    }

    /// <summary>Whether Graph's error code says the delta state is gone and the round must start again.</summary>
    public static bool IsSyncStateExpired(string code) =>
        code.Equals("syncStateNotFound", StringComparison.OrdinalIgnoreCase) || code.Equals("resyncRequired", StringComparison.OrdinalIgnoreCase)
        || code.Equals("SyncStateInvalid", StringComparison.OrdinalIgnoreCase);

    /// <summary>Classifies an unsuccessful answer.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="error">Graph's error code and message.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> header, if any.</param>
    /// <param name="target">The mailbox (its address and app are named in the message).</param>
    /// <param name="step">What the request was for.</param>
    public static MailboxAccessException Classify(HttpStatusCode status, GraphError error, TimeSpan? retryAfter, GraphMailboxTarget target, Step step)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(target);
        var said = $"HTTP {((int)status).ToString(CultureInfo.InvariantCulture)}{(error.Code.Length > 0 ? " " + error.Code : "")}{(error.Message.Length > 0 ? ": " + error.Message : "")}";
        var app = $"app {target.App.ClientId}";
        var wait = retryAfter is { } w ? $" Graph asked to wait {w.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s (Retry-After)." : "";
        var (code, message) = (int)status switch
        {
            401 => (MailboxErrorCodes.GraphTokenRejected, $"Microsoft Graph refused the token of {app} for '{target.User}' ({said})."),
            403 => (MailboxErrorCodes.GraphAccessDenied, $"Microsoft Graph denied {app} access to mailbox '{target.User}' ({said}): no Exchange role assignment (or application access policy) grants it this mailbox."),
            404 when error.Code.Equals("MailboxNotEnabledForRESTAPI", StringComparison.OrdinalIgnoreCase) =>
                (MailboxErrorCodes.GraphMailboxNotEnabled, $"'{target.User}' has no Exchange Online mailbox that Microsoft Graph can reach ({said})."),
            404 when error.Code.Equals("ErrorInvalidUser", StringComparison.OrdinalIgnoreCase) || (step == Step.Mailbox && error.Code.Equals("ResourceNotFound", StringComparison.OrdinalIgnoreCase)) =>
                (MailboxErrorCodes.GraphMailboxNotFound, $"Microsoft Graph knows no mailbox '{target.User}' in tenant {target.App.Tenant} ({said})."),
            404 when step is Step.Folder or Step.Delta => (MailboxErrorCodes.GraphFolderNotFound, $"Mailbox '{target.User}' has no folder '{target.FolderPath}' (any more) ({said})."),
            429 => (MailboxErrorCodes.GraphThrottled, $"Microsoft Graph throttled {app} for mailbox '{target.User}' ({said}).{wait}"),
            503 when retryAfter is not null => (MailboxErrorCodes.GraphThrottled, $"Microsoft Graph is busy for mailbox '{target.User}' ({said}).{wait}"),
            >= 500 => (MailboxErrorCodes.GraphServiceUnavailable, $"Microsoft Graph failed for mailbox '{target.User}' ({said})."),
            _ => (MailboxErrorCodes.GraphRequestFailed, $"Microsoft Graph refused a request of {app} for mailbox '{target.User}' ({step}: {said})."),
        };
        return new MailboxAccessException(code, message, retryAfter: code is MailboxErrorCodes.GraphThrottled or MailboxErrorCodes.GraphServiceUnavailable ? retryAfter : null);
    }

    /// <summary>The error of a step whose object was not found without an error body (a folder).</summary>
    public static MailboxAccessException NotFound(GraphMailboxTarget target, Step step)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new MailboxAccessException(MailboxErrorCodes.GraphRequestFailed, $"Microsoft Graph found nothing for mailbox '{target.User}' ({step}).");
    }

    /// <summary>Runs one network action of a request and classifies network, TLS and timeout failures; lets the caller's cancellation through.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> action, GraphMailboxTarget target, Step step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            return await action();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TaskCanceledException ex)
        {
            // HttpClient.Timeout.
            throw new MailboxAccessException(MailboxErrorCodes.Timeout, $"Microsoft Graph ({target.BaseUri.Host}) did not answer in time ({step}).", ex);
        }
        catch (HttpRequestException ex) when (ex.InnerException is AuthenticationException || ex.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            var pinned = target.PinnedCertificateSha256 is { } pin ? $" (pinned certificate {pin})" : "";
            throw new MailboxAccessException(MailboxErrorCodes.TlsFailed, $"The TLS handshake with {target.BaseUri.Host}:{target.BaseUri.Port} failed{pinned}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.NameResolutionError)
        {
            throw new MailboxAccessException(MailboxErrorCodes.HostNotFound, $"The Graph host {target.BaseUri.Host} could not be resolved: {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new MailboxAccessException(MailboxErrorCodes.GraphServiceUnavailable, $"Microsoft Graph ({target.BaseUri.Host}:{target.BaseUri.Port}) could not be reached ({step}): {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new MailboxAccessException(MailboxErrorCodes.GraphServiceUnavailable, $"The connection to Microsoft Graph ({target.BaseUri.Host}) broke ({step}): {ex.Message}", ex);
        }
    }

    private static string Shorten(string text)
    {
        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 300 ? text : text[..300] + "…";
    }
}
