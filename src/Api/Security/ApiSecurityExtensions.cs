using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using AlarmInbox.Api.Audit;
using AlarmInbox.Api.Errors;
using AlarmInbox.Api.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Api.Security;

/// <summary>Wires API-key authentication, the tenant rule, request size limits, rate limiting and the audit log.</summary>
public static class ApiSecurityExtensions
{
    /// <summary>The policy every endpoint has unless it says otherwise (<see cref="TenantAccessRequirement"/>).</summary>
    public const string TenantAccessPolicy = "tenant-access";

    /// <summary>Adds the services; options from section <c>AlarmInbox:Api</c> (<see cref="ApiSecurityOptions"/>), validated at start.</summary>
    public static WebApplicationBuilder AddApiSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiSecurityOptions>().BindConfiguration(ApiSecurityOptions.SectionName)
            .Validate(o => o.BootstrapOperatorKey is null || o.BootstrapOperatorKey.Length >= 32, "AlarmInbox:Api:BootstrapOperatorKey must be at least 32 characters (e.g. openssl rand -base64 32).")
            .Validate(o => o.MaxRequestBodyBytes >= 1024, "AlarmInbox:Api:MaxRequestBodyBytes must be at least 1024.")
            .Validate(o => o.RateLimitPermits >= 1, "AlarmInbox:Api:RateLimitPermits must be at least 1.")
            .Validate(o => o.RateLimitWindow > TimeSpan.Zero, "AlarmInbox:Api:RateLimitWindow must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BootstrapKey>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AuditWriter>());
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        // The base handler logs every refused request at Information; AuditMiddleware counts them and logs them at Debug instead.
        builder.Logging.AddFilter(typeof(ApiKeyAuthenticationHandler).FullName, LogLevel.Warning);
        builder.Services.AddAuthentication(ApiClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiClaims.Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(TenantAccessPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(new TenantAccessRequirement()))
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new TenantAccessRequirement()).Build())
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new TenantAccessRequirement()).Build());
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var settings = context.RequestServices.GetRequiredService<IOptions<ApiSecurityOptions>>().Value;
                var partition = context.User.FindFirstValue(ApiClaims.KeyId) is { } keyId
                    ? "key:" + keyId
                    : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
                return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.RateLimitPermits,
                    Window = settings.RateLimitWindow,
                    QueueLimit = 0,
                });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                // Refused before the audit middleware runs (nothing is written for it): counted here.
                context.HttpContext.RequestServices.GetRequiredService<ApiMetrics>().Refused(StatusCodes.Status429TooManyRequests);
                await Problems.Of(StatusCodes.Status429TooManyRequests, "Too many requests.",
                    $"This API key sent more requests than allowed; try again in {seconds} s.").ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }

    /// <summary>
    /// Adds the middleware in order: authentication, rate limiting, audit, body size limit, authorization (rate limiting
    /// first, so a flood of requests is refused before anything is written). Call after the exception handler and before
    /// mapping endpoints.
    /// </summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseMiddleware<AuditMiddleware>();
        app.Use(LimitBodySizeAsync);
        app.UseAuthorization();
        return app;
    }

    /// <summary>Lets <c>/openapi/v1.json</c> and <c>/docs</c> be read without a key when <see cref="ApiSecurityOptions.PublicDocs"/> is set.</summary>
    public static TBuilder AllowAnonymousIfPublicDocs<TBuilder>(this TBuilder builder, WebApplication app)
        where TBuilder : IEndpointConventionBuilder
    {
        if (app.Services.GetRequiredService<IOptions<ApiSecurityOptions>>().Value.PublicDocs)
        {
            builder.AllowAnonymous();
        }

        return builder;
    }

    private static async Task LimitBodySizeAsync(HttpContext context, RequestDelegate next)
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<ApiSecurityOptions>>().Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await Problems.Of(StatusCodes.Status413PayloadTooLarge, "The request body is too large.",
                $"The body may have at most {limit} bytes.", "$").ExecuteAsync(context);
            return;
        }

        // Bodies without Content-Length (chunked) are cut off by the server at the same size.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        await next(context);
    }
}
