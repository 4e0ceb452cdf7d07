using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Identity.Client;

namespace AlarmInbox.Grains.Auth;

/// <summary>
/// Tells token endpoint failures apart by their AADSTS number (Microsoft docs, "Microsoft Entra authentication and
/// authorization error codes") and HTTP status: configuration errors the admin must fix, and transient ones.
/// </summary>
public static partial class TokenErrorClassifier
{
    /// <summary>Classifies an MSAL exception.</summary>
    /// <param name="exception">What MSAL threw.</param>
    /// <param name="app">The app registration the request was for (its secret is only inspected, never quoted).</param>
    public static TokenFailure Classify(MsalException exception, Office365Settings app)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(app);
        var service = exception as MsalServiceException;
        var description = Describe(exception);
        var aadsts = AadstsNumbers(service, description);
        var who = $"app {app.ClientId} in tenant {app.Tenant}";
        var usesCertificate = app.ClientSecret is null;

        if (exception is MsalThrottledServiceException || service?.StatusCode == 429)
        {
            var retryAfter = RetryAfter(service) ?? RetryAfter(exception.InnerException as MsalServiceException);
            var until = retryAfter is { } wait ? $" Entra ID asked to wait {wait.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s (Retry-After)." : "";
            return new(MailboxErrorCodes.Office365TokenThrottled, $"Entra ID throttled token requests of {who} (HTTP 429).{until} {description}".TrimEnd(), true, retryAfter);
        }

        foreach (var number in aadsts)
        {
            var code = number switch
            {
                7000215 when app.ClientSecret is { } s && MailboxSettingsValidator.LooksLikeSecretId(s) => MailboxErrorCodes.Office365SecretIdNotValue,
                7000215 => MailboxErrorCodes.Office365ClientSecretInvalid,
                7000222 => MailboxErrorCodes.Office365ClientSecretExpired,
                700027 or 700024 or 7000274 or 50012 when usesCertificate => MailboxErrorCodes.Office365CertificateRejected,
                700016 => MailboxErrorCodes.Office365AppNotFound,
                90002 or 900023 => MailboxErrorCodes.Office365TenantNotFound,
                7000229 or 65001 => MailboxErrorCodes.Office365ConsentMissing,
                1002012 or 70011 or 500011 => MailboxErrorCodes.Office365ScopeInvalid,
                _ => null,
            };
            if (code is not null)
            {
                return new(code, $"Entra ID refused the token request of {who}: {description}", false, null);
            }
        }

        if (service is { StatusCode: >= 500 } || exception.ErrorCode is MsalError.ServiceNotAvailable or MsalError.RequestTimeout or "request_timeout"
            || exception.InnerException is HttpRequestException or TaskCanceledException or TimeoutException)
        {
            var status = service is { StatusCode: > 0 } ? $" (HTTP {service.StatusCode.ToString(CultureInfo.InvariantCulture)})" : "";
            var what = service is { StatusCode: > 0 } ? "answered with an error" : exception.InnerException is TaskCanceledException or TimeoutException ? "did not answer in time" : "could not be reached";
            return new(MailboxErrorCodes.Office365TokenServiceUnavailable,
                $"The Entra ID token endpoint https://{app.AuthorityHost} {what} for {who}{status}: {description}", true, RetryAfter(service));
        }

        return new(MailboxErrorCodes.Office365TokenFailed, $"Entra ID refused the token request of {who}: {description}", false, null);
    }

    /// <summary>Entra ID's <c>error_description</c> on one line (it carries the AADSTS number, trace and correlation ids), else MSAL's message.</summary>
    private static string Describe(MsalException exception)
    {
        var text = exception.Message;
        if (exception is MsalServiceException { ResponseBody: { Length: > 0 } body })
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.ValueKind == JsonValueKind.Object
                    && json.RootElement.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String)
                {
                    var error = json.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() + ": " : "";
                    text = error + d.GetString();
                }
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's HTML page): MSAL's message says enough.
            }
        }

        text = Whitespace().Replace(text, " ").Trim();
        return text.Length <= 600 ? text : text[..600] + "…";
    }

    private static List<int> AadstsNumbers(MsalServiceException? service, string description)
    {
        var numbers = new List<int>();
        foreach (var value in service?.ErrorCodesForLogging ?? [])
        {
            if (int.TryParse(value.Replace("AADSTS", "", StringComparison.OrdinalIgnoreCase), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                numbers.Add(n);
            }
        }

        foreach (Match m in Aadsts().Matches(description))
        {
            numbers.Add(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        return numbers;
    }

    private static TimeSpan? RetryAfter(MsalServiceException? service)
    {
        RetryConditionHeaderValue? header = service?.Headers?.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    [GeneratedRegex(@"AADSTS(\d{5,8})", RegexOptions.CultureInvariant)]
    private static partial Regex Aadsts();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
