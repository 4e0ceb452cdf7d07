using AlarmInbox.Grains.Inbound;
using AlarmInbox.Silo.Hosting;
using AlarmInbox.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Silo.Smtp;

/// <summary>Silo wiring of inbound SMTP (issue 8).</summary>
public static class SmtpInboundExtensions
{
    /// <summary>
    /// Adds the inbound address services (route cache, options), the durable spool with its hand-off worker and, unless
    /// <c>AlarmInbox:Smtp:Enabled</c> is false, the SMTP listener. The spool is the cluster database in cluster mode on
    /// PostgreSQL (<see cref="ClusterSpool"/>, with its lease service), files in the data folder otherwise. Call after
    /// <c>UseOrleans</c>: the hosted services then start after the silo and stop before it.
    /// </summary>
    public static TBuilder AddSmtpInbound<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<InboundAddressOptions>().BindConfiguration(InboundAddressOptions.SectionName);
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<InboundRouteCache>();
        services.TryAddSingleton<ISpoolHandOffObserver, NoSpoolHandOffObserver>();
        services.TryAddSingleton(sp =>
        {
            var configured = sp.GetRequiredService<IOptions<SmtpOptions>>().Value.SpoolDirectory;
            var data = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>()?.DataDirectory ?? new StorageOptions().DataDirectory;
            return new InboundSpool(configured ?? Path.Combine(Path.GetFullPath(data), "spool"));
        });
        services.TryAddSingleton<SmtpMetrics>();
        services.TryAddSingleton<SmtpSessionLimiter>();
        services.TryAddSingleton<InboundMailboxFilter>();
        services.TryAddSingleton<InboundMessageStore>();
        var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        if (StorageProviderNames.Normalize(storage.Provider) == StorageProviderNames.PostgreSql && storage.ConnectionString is { } connectionString)
        {
            var serviceId = (builder.Configuration.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions()).ServiceId;
            var sessionString = PostgreSqlSessionSettings.Apply(connectionString, storage.IdleInTransactionTimeout);
            services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<ClusterSpool>(sp, sessionString, serviceId));
            services.TryAddSingleton<ISpoolStore>(sp => sp.GetRequiredService<ClusterSpool>());

            // Before the processor: stopped after it, so that leases are let go only once no hand-off runs any more.
            services.AddHostedService<ClusterSpoolLeaseService>();
        }
        else
        {
            services.TryAddSingleton<ISpoolStore>(sp => sp.GetRequiredService<InboundSpool>());
        }

        services.TryAddSingleton<SpoolProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<SpoolProcessor>());
        services.AddHostedService<SpoolStorageMonitor>();
        if (builder.Configuration.GetValue($"{SmtpOptions.SectionName}:Enabled", true))
        {
            services.AddHostedService<SmtpListener>();
        }

        return builder;
    }
}
