using System.Net.Sockets;
using AlarmInbox.Grains.Egress;
using AlarmInbox.Grains.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlarmInbox.Grains.Alarms;

/// <summary>Registers the alarm pipeline and webhook delivery.</summary>
public static class AlarmsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the evaluator, the webhook sender with its <see cref="IHttpClientFactory"/> client (no redirects, timeout per
    /// attempt from <c>AlarmInbox:Webhooks:AttemptTimeout</c>) and the options of sections <c>AlarmInbox:Alarms</c> and
    /// <c>AlarmInbox:Webhooks</c>, validated at start-up.
    /// </summary>
    public static IServiceCollection AddAlarmInboxAlarms(this IServiceCollection services)
    {
        services.AddOptions<AlarmOptions>().BindConfiguration(AlarmOptions.SectionName)
            .Validate(o => o.RegexTimeout > TimeSpan.Zero && o.RegexTimeout <= TimeSpan.FromSeconds(5), "AlarmInbox:Alarms:RegexTimeout must be more than 0 and at most 5 s.")
            .Validate(o => o.RegexBudgetPerMail >= o.RegexTimeout && o.RegexBudgetPerMail <= TimeSpan.FromSeconds(10), "AlarmInbox:Alarms:RegexBudgetPerMail must be at least AlarmInbox:Alarms:RegexTimeout and at most 10 s.")
            .Validate(o => o.StoredAlarms is >= 10 and <= 100_000, "AlarmInbox:Alarms:StoredAlarms must be between 10 and 100000.")
            .Validate(o => o.ProcessedKeyWindow >= 1_000, "AlarmInbox:Alarms:ProcessedKeyWindow must be at least 1000.")
            .ValidateOnStart();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName)
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero && o.AttemptTimeout < TimeSpan.FromSeconds(25), "AlarmInbox:Webhooks:AttemptTimeout must be more than 0 and below 25 s (Orleans' call timeout is 30 s).")
            .Validate(o => o.MaxAttempts is >= 1 and <= 100, "AlarmInbox:Webhooks:MaxAttempts must be between 1 and 100.")
            .Validate(o => o.InitialBackoff > TimeSpan.Zero && o.MaxBackoff >= o.InitialBackoff, "AlarmInbox:Webhooks:InitialBackoff must be positive and AlarmInbox:Webhooks:MaxBackoff at least as long.")
            .Validate(o => o.WatchdogPeriod > TimeSpan.Zero, "AlarmInbox:Webhooks:WatchdogPeriod must be positive.")
            .Validate(o => o.MaxConcurrentDeliveries is >= 1 and <= 100, "AlarmInbox:Webhooks:MaxConcurrentDeliveries must be between 1 and 100.")
            .Validate(o => o.KeptDeliveries >= 10, "AlarmInbox:Webhooks:KeptDeliveries must be at least 10.")
            .ValidateOnStart();
        services.TryAddSingleton<LabelExtractor>();
        services.TryAddSingleton<AlarmEvaluator>();
        services.TryAddSingleton<WebhookSender>();
        services.AddHttpClient(WebhookSender.ClientName, client =>
            {
                // The per-attempt timeout is WebhookSender's own, so that it is reported as such.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("AlarmInbox-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(services =>
            {
                // Every connection, to the URL's host or anywhere else, passes the egress policy after DNS resolution.
                // Redirects are not followed at all: a receiver answers 2xx or the attempt failed.
                var egress = services.GetRequiredService<EgressPolicy>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectCallback = async (context, cancellationToken) =>
                        new NetworkStream(await egress.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken), ownsSocket: true),
                };
            });
        return services;
    }
}
