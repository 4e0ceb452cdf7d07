using OpenTelemetry.Metrics;

namespace AlarmInbox.Api.Telemetry;

/// <summary>OpenTelemetry metrics of the API process, exported in Prometheus format at <c>/metrics</c>.</summary>
public static class TelemetryExtensions
{
    /// <summary>Adds the meters of ASP.NET Core (HTTP server) and Orleans (<c>Microsoft.Orleans</c>, client side). The mailbox meters live in the silos: scrape each silo's <c>/metrics</c> too.</summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ApiMetrics.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting")
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>Maps <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
