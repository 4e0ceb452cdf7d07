using Orleans.Dashboard;

namespace AlarmInbox.Api.Dashboard;

/// <summary>Serves the Orleans Dashboard of the cluster at <c>/dashboard</c> (the silos run <c>AddDashboard()</c>; the API is its web host).</summary>
public static class DashboardExtensions
{
    /// <summary>The path of the dashboard.</summary>
    public const string Path = "/dashboard";

    /// <summary>
    /// Maps the dashboard UI and its JSON endpoints. It has no authentication yet, like the rest of the API: bind the API
    /// to a trusted network. Its live log stream is off; its grain-state viewer shows nothing secret (no grain has a
    /// parameterless method returning a persisted state type).
    /// </summary>
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        app.MapOrleansDashboard(Path);
        return app;
    }
}
