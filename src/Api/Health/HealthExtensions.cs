using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace AlarmInbox.Api.Health;

/// <summary><c>/health/live</c> (the API process answers) and <c>/health/ready</c> (a silo and its storage answer).</summary>
public static class HealthExtensions
{
    /// <summary>Adds the readiness check.</summary>
    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<ClusterReadyHealthCheck>("cluster", tags: ["ready"]);
        return builder;
    }

    /// <summary>Maps the two endpoints; they answer 200 <c>Healthy</c> or 503 <c>Unhealthy</c> as plain text.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        // Liveness is the one endpoint without a key (for process supervisors); readiness and everything else need one.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}
