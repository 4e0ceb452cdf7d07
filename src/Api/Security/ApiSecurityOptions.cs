namespace AlarmInbox.Api.Security;

/// <summary>Authentication, request limits and rate limiting of the API (section <c>AlarmInbox:Api</c>).</summary>
public sealed class ApiSecurityOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Api";

    /// <summary>
    /// The bootstrap operator key (at least 32 characters), e.g. from <c>AlarmInbox__Api__BootstrapOperatorKey</c>. Only its
    /// SHA-256 hash is kept in memory after start; it is never logged (this property is redacted in <see cref="ToString"/>).
    /// Null: no bootstrap key (keys must then exist in the key directory).
    /// </summary>
    public string? BootstrapOperatorKey { get; set; }

    /// <summary>Whether <c>/openapi/v1.json</c> and <c>/docs</c> are served without a key (they describe the API, hold no data).</summary>
    public bool PublicDocs { get; set; } = true;

    /// <summary>The largest request body in bytes (413 above it). Default 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1_048_576;

    /// <summary>Requests per <see cref="RateLimitWindow"/> per API key (unauthenticated requests: per client address). Default 600.</summary>
    public int RateLimitPermits { get; set; } = 600;

    /// <summary>The fixed rate-limit window. Default 1 minute.</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Never shows the bootstrap key.</summary>
    public override string ToString() =>
        $"BootstrapOperatorKey={(BootstrapOperatorKey is null ? "(none)" : "(redacted)")}, PublicDocs={PublicDocs}, MaxRequestBodyBytes={MaxRequestBodyBytes}, RateLimitPermits={RateLimitPermits}, RateLimitWindow={RateLimitWindow}";
}
