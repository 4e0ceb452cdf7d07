using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace AlarmInbox.Silo.Hosting;

/// <summary>
/// Makes the Orleans Dashboard's counter collection inside the silo run only while someone watches. As shipped
/// (Microsoft.Orleans.Dashboard 10.4.2), the silo reads every Orleans instrument once a second, whether or not a
/// dashboard is open, including the observable gauges (a profile of an idle silo in issue 15 found about 11 % of its
/// samples in one of them, the grain directory's cache size), and sends the values to its dashboard grain service. The
/// package has no public setting for it, so this class reaches two of its internals: the hosted component's
/// <c>ExportIntervalMilliseconds</c> (documented there as "Timeout.Infinite disables periodic export, so only explicit
/// flushes collect telemetry") and its meter provider, which <see cref="DashboardCounterSampler"/> flushes while the
/// dashboard's own profiler is switched on (the dashboard switches it on in every silo when a page asks for data, and
/// off after <see cref="GrainProfilerOptions.DeactivationTime"/> without a request). If a later package renames them,
/// <see cref="Bind"/> answers null and the dashboard collects as shipped; a test pins the current package.
/// </summary>
public sealed class DashboardCollection
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    private readonly Type _hostType;
    private readonly FieldInfo _meterProviderField;
    private readonly Type _profilerType;
    private readonly PropertyInfo _profilerEnabled;
    private readonly PropertyInfo _exportInterval;

    private DashboardCollection(Type hostType, PropertyInfo exportInterval, FieldInfo meterProviderField, Type profilerType, PropertyInfo profilerEnabled)
    {
        _hostType = hostType;
        _exportInterval = exportInterval;
        _meterProviderField = meterProviderField;
        _profilerType = profilerType;
        _profilerEnabled = profilerEnabled;
    }

    /// <summary>Finds the dashboard's internals this class needs.</summary>
    /// <returns>The binding, or null when the installed package does not have them (then nothing is changed).</returns>
    public static DashboardCollection? Bind()
    {
        var assembly = typeof(DashboardOptions).Assembly;
        var hostType = assembly.GetType("Orleans.Dashboard.DashboardHost");
        var profilerType = assembly.GetType("Orleans.Dashboard.Metrics.IGrainProfiler");
        var exportInterval = hostType?.GetProperty("ExportIntervalMilliseconds", Instance);
        var meterProvider = hostType?.GetField("_meterProvider", Instance);
        var enabled = profilerType?.GetProperty("IsEnabled", Instance);
        return hostType is not null && profilerType is not null && exportInterval is { CanWrite: true } && exportInterval.PropertyType == typeof(int)
            && meterProvider is not null && meterProvider.FieldType == typeof(MeterProvider) && enabled is not null && enabled.PropertyType == typeof(bool)
            ? new DashboardCollection(hostType, exportInterval, meterProvider, profilerType, enabled)
            : null;
    }

    /// <summary>
    /// Replaces the dashboard's registration of its hosted component (added by <c>AddDashboard</c>) with one whose
    /// periodic export is off. Call after <c>AddDashboard</c>.
    /// </summary>
    /// <returns>Whether the registration was found and replaced.</returns>
    public bool DisablePeriodicExport(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var index = -1;
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == _hostType && !services[i].IsKeyedService)
            {
                index = i;
            }
        }

        if (index < 0)
        {
            return false;
        }

        services[index] = ServiceDescriptor.Singleton(_hostType, provider =>
        {
            var host = ActivatorUtilities.CreateInstance(provider, _hostType);
            _exportInterval.SetValue(host, Timeout.Infinite);
            return host;
        });
        return true;
    }

    /// <summary>Whether the dashboard's profiler is on in this silo: a dashboard asked for data within its deactivation time.</summary>
    public bool IsWatched(IServiceProvider services) => (bool)_profilerEnabled.GetValue(services.GetRequiredService(_profilerType))!;

    /// <summary>Collects the Orleans instruments once and hands them to the dashboard, as its periodic export would.</summary>
    /// <returns>False while the dashboard's meter provider is not built yet (before the silo is active).</returns>
    public bool Flush(IServiceProvider services, int timeoutMilliseconds)
    {
        var host = services.GetRequiredService(_hostType);
        return _meterProviderField.GetValue(host) is MeterProvider provider && provider.ForceFlush(timeoutMilliseconds);
    }
}
