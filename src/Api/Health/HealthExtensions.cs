using Microsoft.Extensions.Diagnostics.HealthChecks;
using AlarmInbox.Api.Security;
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
        // Both open without a key, for load balancers and process supervisors; without an operator key they answer the
        // status word only, so that they tell nothing about the installation.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteReadinessAsync }).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// <c>Healthy</c>, or <c>Unhealthy</c> followed, for a caller with the operator key only, by one line per failing
    /// check that says why (for example <c>storage_unavailable: smtp-spool on … since … (IOException)</c>); the reasons
    /// name exception types only.
    /// </summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (!context.User.IsInRole(ApiClaims.OperatorRole))
        {
            return context.Response.WriteAsync(report.Status.ToString());
        }

        var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}");
        return context.Response.WriteAsync(string.Join('\n', [report.Status.ToString(), .. lines]));
    }
}
