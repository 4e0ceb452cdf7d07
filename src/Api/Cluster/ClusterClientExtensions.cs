using AlarmInbox.Api.Errors;

namespace AlarmInbox.Api.Cluster;

/// <summary>Connects the API to the silos as an Orleans client.</summary>
public static class ClusterClientExtensions
{
    /// <summary>
    /// Adds the Orleans client (localhost clustering on <see cref="ClusterClientOptions.GatewayPort"/>). The client keeps
    /// retrying the first connection, so the API may start before the silo; calls made while no silo answers get 503.
    /// </summary>
    public static WebApplicationBuilder AddClusterClient(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ClusterClientOptions.SectionName).Get<ClusterClientOptions>() ?? new ClusterClientOptions();
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            client.UseConnectionRetryFilter(static async (_, cancellationToken) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return true;
            });
        });
        builder.Services.AddExceptionHandler<ClusterUnavailableExceptionHandler>();
        return builder;
    }
}
