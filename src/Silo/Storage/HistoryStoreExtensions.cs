using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Inbound;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Grains.Security;
using AlarmInbox.Grains.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlarmInbox.Silo.Storage;

/// <summary>Wiring of the record tables (<c>ai_*</c>) behind the grains' store interfaces.</summary>
public static class HistoryStoreExtensions
{
    /// <summary>
    /// Adds <see cref="HistoryDatabase"/> on the silo's database, the SQL stores behind <see cref="IAlarmStore"/> and
    /// <see cref="IWebhookDeliveryStore"/>, and the background retention step (<see cref="HistoryRetentionService"/>).
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="provider">The canonical storage provider (Sqlite or PostgreSql).</param>
    /// <param name="connectionString">The database's connection string.</param>
    /// <exception cref="NotSupportedException">The provider has no history tables.</exception>
    public static IServiceCollection AddHistoryStore(this IServiceCollection services, string provider, string connectionString)
    {
        services.TryAddSingleton(new HistoryDatabase(provider, connectionString));
        services.TryAddSingleton<IAlarmStore, SqlAlarmStore>();
        services.TryAddSingleton<IWebhookDeliveryStore, SqlWebhookDeliveryStore>();
        services.TryAddSingleton<IAuditStore, SqlAuditStore>();
        services.TryAddSingleton<IMessageStore, SqlMessageStore>();
        services.TryAddSingleton<IInboundUidStore, SqlInboundUidStore>();
        services.AddOptions<HistoryRetentionOptions>().BindConfiguration(HistoryRetentionOptions.SectionName)
            .Validate(o => o.Interval > TimeSpan.Zero, "AlarmInbox:Retention:Interval must be positive.")
            .Validate(o => o.AlarmMaxAge is null || o.AlarmMaxAge > TimeSpan.Zero, "AlarmInbox:Retention:AlarmMaxAge must be positive when set.")
            .Validate(o => o.DeliveryMaxAge is null || o.DeliveryMaxAge > TimeSpan.Zero, "AlarmInbox:Retention:DeliveryMaxAge must be positive when set.")
            .Validate(o => o.AuditMaxAge > TimeSpan.Zero, "AlarmInbox:Retention:AuditMaxAge must be positive.")
            .ValidateOnStart();
        services.AddHostedService<HistoryRetentionService>();
        return services;
    }
}
