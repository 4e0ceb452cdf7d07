using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Silo.Hosting;

/// <summary>Registration of <see cref="DashboardCounterSampler"/>.</summary>
public static class DashboardCollectionExtensions
{
    /// <summary>
    /// Turns the Orleans Dashboard's once-a-second counter collection off and lets <see cref="DashboardCounterSampler"/>
    /// collect only while a dashboard is open. Call after <c>AddDashboard</c>. When the installed dashboard package does
    /// not have the internals <see cref="DashboardCollection"/> needs, nothing changes and the sampler logs a warning.
    /// </summary>
    public static IServiceCollection AddDashboardCollectionWhileWatched(this IServiceCollection services)
    {
        var collection = DashboardCollection.Bind();
        if (collection is not null && !collection.DisablePeriodicExport(services))
        {
            collection = null;
        }

        services.AddHostedService(provider => new DashboardCounterSampler(
            collection,
            provider,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<DashboardCounterSampler>>()));
        return services;
    }
}
