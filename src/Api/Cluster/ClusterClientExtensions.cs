using System.Net;
using AlarmInbox.Api.Errors;
using AlarmInbox.Grains.Interfaces.Alarms;
using Orleans.Clustering.AdoNet;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Messaging;
using Orleans.Runtime.Membership;

namespace AlarmInbox.Api.Cluster;

/// <summary>Connects the API to the silos as an Orleans client.</summary>
public static class ClusterClientExtensions
{
    /// <summary>
    /// Adds the Orleans client: localhost clustering on <see cref="ClusterClientOptions.GatewayPort"/> by default, or the
    /// silos' membership table with <see cref="ClusterClientOptions.Provider"/> <c>PostgreSql</c> / <c>SqlServer</c>. At start
    /// the client retries every second until a silo answers, so the API may be started before the silos (it listens
    /// once connected); later calls made while no silo answers get 503.
    /// </summary>
    public static WebApplicationBuilder AddClusterClient(this WebApplicationBuilder builder)
    {
        builder.UseOrleansClient(client =>
        {
            // Options are read when the client starts, so configuration added late (tests, command line) applies.
            client.Services.AddOptions<ClusterClientOptions>().BindConfiguration(ClusterClientOptions.SectionName)
                .Validate(o => o.GatewayPort is > 0 and < 65536, "AlarmInbox:Cluster:GatewayPort must be a TCP port (1-65535).")
                .Validate(o => o.CallTimeout > TimeSpan.Zero, "AlarmInbox:Cluster:CallTimeout must be positive.")
                .Validate(o => Invariant(o.Provider) is not null, "AlarmInbox:Cluster:Provider must be 'Localhost', 'PostgreSql' or 'SqlServer'.")
                .Validate(o => Invariant(o.Provider) is "" || !string.IsNullOrWhiteSpace(o.ConnectionString),
                    "AlarmInbox:Cluster:ConnectionString is required when AlarmInbox:Cluster:Provider is 'PostgreSql' or 'SqlServer'.")
                .ValidateOnStart();
            client.Services.AddOptions<StaticGatewayListProviderOptions>().Configure<IConfiguration>((options, configuration) =>
            {
                var cluster = Read(configuration);
                options.Gateways = [new IPEndPoint(IPAddress.Loopback, cluster.GatewayPort).ToGatewayUri()];
            });
            client.Services.AddOptions<AdoNetClusteringClientOptions>().Configure<IConfiguration>((options, configuration) =>
            {
                var cluster = Read(configuration);
                options.Invariant = Invariant(cluster.Provider) ?? "";
                options.ConnectionString = cluster.ConnectionString ?? "";
            });
            client.Services.AddSingleton<IGatewayListProvider>(services =>
                Invariant(Read(services.GetRequiredService<IConfiguration>()).Provider) is "" or null
                    ? ActivatorUtilities.CreateInstance<StaticGatewayListProvider>(services)
                    : ActivatorUtilities.CreateInstance<AdoNetGatewayListProvider>(services));
            client.Services.AddOptions<ClientMessagingOptions>().Configure<IConfiguration>((options, configuration) =>
                options.ResponseTimeout = Read(configuration).CallTimeout);
            client.Services.AddOptions<ClusterOptions>().Configure<IConfiguration>((options, configuration) =>
            {
                var cluster = Read(configuration);
                options.ClusterId = cluster.ClusterId;
                options.ServiceId = cluster.ServiceId;
            });
            client.UseConnectionRetryFilter(static async (_, cancellationToken) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return true;
            });
            // The console's live feed subscribes to the tenants' alarm streams (one subscription per watched tenant).
            client.AddMemoryStreams(AlarmStreams.ProviderName);
            client.AddDashboard(o => o.HideTrace = true);
            client.AddActivityPropagation();
        });
        builder.Services.AddExceptionHandler<ClusterUnavailableExceptionHandler>();
        return builder;
    }

    /// <summary>The ADO.NET invariant of a provider name: "" for <c>Localhost</c>, <see langword="null"/> for an unknown name.</summary>
    private static string? Invariant(string? provider) => provider switch
    {
        _ when string.IsNullOrEmpty(provider) || provider.Equals("Localhost", StringComparison.OrdinalIgnoreCase) => "",
        _ when provider.Equals("PostgreSql", StringComparison.OrdinalIgnoreCase) => "Npgsql",
        _ when provider.Equals("SqlServer", StringComparison.OrdinalIgnoreCase) => "Microsoft.Data.SqlClient",
        _ => null,
    };

    private static ClusterClientOptions Read(IConfiguration configuration) =>
        configuration.GetSection(ClusterClientOptions.SectionName).Get<ClusterClientOptions>() ?? new ClusterClientOptions();
}
