using System.Net;
using AlarmInbox.Api.Errors;
using Orleans.Configuration;

namespace AlarmInbox.Api.Cluster;

/// <summary>Connects the API to the silos as an Orleans client.</summary>
public static class ClusterClientExtensions
{
    /// <summary>
    /// Adds the Orleans client (localhost clustering on <see cref="ClusterClientOptions.GatewayPort"/>). At start the
    /// client retries every second until a silo answers, so the API may be started before the silo (it listens once
    /// connected); later calls made while no silo answers get 503.
    /// </summary>
    public static WebApplicationBuilder AddClusterClient(this WebApplicationBuilder builder)
    {
        builder.UseOrleansClient(client =>
        {
            // Options are read when the client starts, so configuration added late (tests, command line) applies.
            client.UseStaticClustering((StaticGatewayListProviderOptions _) => { });
            client.Services.AddOptions<ClusterClientOptions>().BindConfiguration(ClusterClientOptions.SectionName)
                .Validate(o => o.GatewayPort is > 0 and < 65536, "AlarmInbox:Cluster:GatewayPort must be a TCP port (1-65535).")
                .ValidateOnStart();
            client.Services.AddOptions<StaticGatewayListProviderOptions>().Configure<IConfiguration>((options, configuration) =>
            {
                var cluster = Read(configuration);
                options.Gateways = [new IPEndPoint(IPAddress.Loopback, cluster.GatewayPort).ToGatewayUri()];
            });
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
        });
        builder.Services.AddExceptionHandler<ClusterUnavailableExceptionHandler>();
        return builder;
    }

    private static ClusterClientOptions Read(IConfiguration configuration) =>
        configuration.GetSection(ClusterClientOptions.SectionName).Get<ClusterClientOptions>() ?? new ClusterClientOptions();
}
