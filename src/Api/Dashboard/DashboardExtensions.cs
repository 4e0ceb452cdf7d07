using Orleans.Dashboard;

namespace AlarmInbox.Api.Dashboard;

/// <summary>Serves the Orleans Dashboard of the cluster at <c>/dashboard</c> (the silos run <c>AddDashboard()</c>; the API is its web host).</summary>
public static class DashboardExtensions
{
    /// <summary>The path of the dashboard.</summary>
    public const string Path = "/dashboard";

    /// <summary>
    /// Maps the dashboard UI and its JSON endpoints, operator-only like every endpoint without a tenant (the API's
    /// fallback policy). Its live log stream is off; its grain-state viewer shows nothing secret (no grain has a
    /// parameterless method returning a persisted state type). The dashboard's own handlers throw on malformed path
    /// values (a silo address that does not parse, say): such a request gets 400 instead of 500.
    /// </summary>
    public static WebApplication MapDashboardApi(this WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(Path),
            branch => branch.Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                catch (Exception ex) when (!context.Response.HasStarted && !Errors.ClusterUnavailableExceptionHandler.IsClusterUnavailable(ex) && ex is not OperationCanceledException)
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context,
                        ProblemDetails = { Status = 400, Title = "The dashboard cannot read this request.", Detail = $"{ex.GetType().Name} in the dashboard's handler for {context.Request.Path}." },
                    });
                }
            }));
        app.MapOrleansDashboard(Path);
        return app;
    }
}
