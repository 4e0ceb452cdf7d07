using Microsoft.Extensions.Diagnostics.HealthChecks;
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
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteReadinessAsync });
        return app;
    }

    /// <summary>
    /// <c>Healthy</c>, or <c>Unhealthy</c> followed by one line per failing check that says why (for example
    /// <c>storage_unavailable: smtp-spool on … since … (IOException)</c>); the reasons name exception types only.
    /// </summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}");
        return context.Response.WriteAsync(string.Join('\n', [report.Status.ToString(), .. lines]));
    }
}
