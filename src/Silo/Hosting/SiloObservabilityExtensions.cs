using AlarmInbox.Grains.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace AlarmInbox.Silo.Hosting;

/// <summary>The silo's small HTTP side: Prometheus metrics at <c>/metrics</c>, <c>/health/live</c> and <c>/health/ready</c>.</summary>
public static class SiloObservabilityExtensions
{
    /// <summary>Adds OpenTelemetry metrics (meters <c>AlarmInbox</c> and <c>Microsoft.Orleans</c>) and the health checks.</summary>
    public static TBuilder AddSiloObservability<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MailboxMetrics.MeterName, "AlarmInbox.Smtp", "Microsoft.Orleans")
            .AddPrometheusExporter());
        builder.Services.AddHealthChecks()
            .AddCheck<SiloReadyHealthCheck>("silo", tags: ["ready"]);
        return builder;
    }

    /// <summary>Maps <c>/metrics</c>, <c>/health/live</c> (the process answers) and <c>/health/ready</c> (the silo is active and its storage answers).</summary>
    public static IEndpointRouteBuilder MapSiloObservability(this IEndpointRouteBuilder app)
    {
        // Create the instruments now, not with the first mailbox or webhook grain: gauges answer 0 from the first
        // scrape on, so alert rules see a value instead of nothing.
        _ = app.ServiceProvider.GetRequiredService<MailboxMetrics>();
        _ = app.ServiceProvider.GetRequiredService<AlarmMetrics>();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        // Status word only: the reasons (which storage, since when) are in the log and, for an operator key, in the API's /health/ready.
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}
