using System.Net;
using AlarmInbox.Grains;
using AlarmInbox.Grains.Egress;
using AlarmInbox.Grains.Health;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using AlarmInbox.Silo.Alarms;
using AlarmInbox.Silo.Mailboxes;
using AlarmInbox.Silo.Operations;
using AlarmInbox.Silo.Smtp;
using AlarmInbox.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace AlarmInbox.Silo.Hosting;

/// <summary>Composes the AlarmInbox silo.</summary>
public static class SiloHostingExtensions
{
    /// <summary>The SQLite file name inside the data folder.</summary>
    public const string SqliteFileName = "alarminbox.db";

    /// <summary>The name of Orleans' ADO.NET grain storage provider (named options <c>AdoNetGrainStorageOptions</c>), which the default storage wraps.</summary>
    public const string AdoNetStorageName = "adonet";

    /// <summary>
    /// Adds the Orleans silo with the grains, storage, clustering and reminders chosen by configuration (see
    /// <see cref="StorageOptions"/> and <see cref="SiloOptions"/>). The embedded default needs no database server;
    /// <c>PostgreSql</c> and <c>SqlServer</c> run a cluster whose membership, state and reminders live in the database.
    /// </summary>
    /// <exception cref="InvalidOperationException">The configuration names an unknown storage provider, lacks a connection string, or sets an IdleInTransactionTimeout out of range.</exception>
    public static TBuilder AddAlarmInboxSilo<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        var silo = builder.Configuration.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions();
        var provider = StorageProviderNames.Normalize(storage.Provider)
            ?? throw new InvalidOperationException($"AlarmInbox:Storage:Provider '{storage.Provider}' is not supported; use 'Sqlite', 'PostgreSql' or 'SqlServer'.");
        var cluster = StorageProviderNames.IsCluster(provider);
        if (cluster && string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            throw new InvalidOperationException($"AlarmInbox:Storage:ConnectionString is required for AlarmInbox:Storage:Provider '{provider}'.");
        }

        if (!PostgreSqlSessionSettings.IsValidTimeout(storage.IdleInTransactionTimeout))
        {
            throw new InvalidOperationException($"AlarmInbox:Storage:IdleInTransactionTimeout '{storage.IdleInTransactionTimeout}' must be zero (off) or from 1 s to 24 days.");
        }

        var dataDirectory = Path.GetFullPath(storage.DataDirectory);
        OwnerOnlyFiles.Secure(dataDirectory);
        var connectionString = storage.ConnectionString ?? new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, SqliteFileName),
            DefaultTimeout = 30,
            Pooling = true,
        }.ToString();
        if (provider == StorageProviderNames.PostgreSql)
        {
            connectionString = PostgreSqlSessionSettings.Apply(connectionString, storage.IdleInTransactionTimeout);
        }

        // The schema must exist before the providers read their queries at silo start.
        if (!cluster)
        {
            if (storage.ConnectionString is null)
            {
                OwnerOnlyFiles.CreateOwnerOnlyFile(Path.Combine(dataDirectory, SqliteFileName));
            }

            SqliteSchema.EnsureCreatedAsync(connectionString, CancellationToken.None).GetAwaiter().GetResult();
            HistoryDatabase.PrimeSqlitePoolAsync(connectionString, 32, CancellationToken.None).GetAwaiter().GetResult();
        }
        else if (storage.CreateSchema)
        {
            ClusterSchema.EnsureCreatedAsync(provider, connectionString, CancellationToken.None).GetAwaiter().GetResult();
        }

        builder.AddProtectedKeyRing(storage, Path.GetFullPath(storage.KeyDirectory ?? Path.Combine(dataDirectory, "keys")));
        builder.Services.AddAlarmInboxGrains();
        builder.Services.AddSingleton<StartupWorkRunner>();
        builder.Services.PostConfigure<EgressOptions>(o =>
            o.DeniedPorts.AddRange([silo.SiloPort, silo.GatewayPort, builder.Configuration.GetValue($"{SmtpOptions.SectionName}:Port", new SmtpOptions().Port)]));
        builder.Services.AddHistoryStore(provider, connectionString);

        builder.UseOrleans(siloBuilder =>
        {
            var invariant = StorageProviderNames.Invariant(provider);
            if (cluster)
            {
                siloBuilder.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = silo.ClusterId;
                    o.ServiceId = silo.ServiceId;
                });
                if (string.IsNullOrWhiteSpace(silo.AdvertisedAddress))
                {
                    siloBuilder.ConfigureEndpoints(silo.SiloPort, silo.GatewayPort);
                }
                else
                {
                    siloBuilder.ConfigureEndpoints(IPAddress.Parse(silo.AdvertisedAddress), silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: false);
                }

                siloBuilder.UseAdoNetClustering(o =>
                {
                    o.Invariant = invariant;
                    o.ConnectionString = connectionString;
                });
                siloBuilder.UseAdoNetReminderService(o =>
                {
                    o.Invariant = invariant;
                    o.ConnectionString = connectionString;
                });
                siloBuilder.Configure<ClusterMembershipOptions>(ClusterMembershipDefaults.Apply);
                siloBuilder.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(ClusterMembershipDefaults.SectionName));
                siloBuilder.Services.AddHostedService<MailboxFailoverService>();
            }
            else
            {
                siloBuilder.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
                siloBuilder.UseInMemoryReminderService();
            }

            // The ADO.NET provider under a name of its own, behind StorageNames.Default: a wrapper that turns the
            // drivers' (unserializable) exceptions into StorageUnavailableException. Rows do not depend on the name.
            siloBuilder.AddAdoNetGrainStorage(AdoNetStorageName, options =>
            {
                options.Invariant = invariant;
                options.ConnectionString = connectionString;
                options.DeleteStateOnClear = true;
            });
            siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Default, (services, _) => new StorageFailureGrainStorage(
                services.GetRequiredKeyedService<IGrainStorage>(AdoNetStorageName),
                services.GetRequiredService<StorageHealth>(),
                services.GetRequiredService<ILogger<StorageFailureGrainStorage>>()));
            siloBuilder.UseSystemTextJsonGrainStorageSerializer();
            // Not "Orleans:Reminders": Orleans reads that section as a reminder provider name.
            siloBuilder.Configure<ReminderOptions>(builder.Configuration.GetSection("AlarmInbox:Reminders"));

            // Activates every enabled mailbox at start. Needed for the in-memory reminders of the embedded mode; in
            // cluster mode it makes polling resume at once after a full restart instead of at the next reminder tick.
            // A mailbox activated by both polls once: it keeps one grain timer per activation.
            siloBuilder.AddStartupTask<MailboxResumeStartupTask>();
            siloBuilder.AddIncomingGrainCallFilter<StorageFailureCallFilter>();
            // After Orleans' own registration, so that this one is resolved: a clean exit (75) instead of FailFast.
            siloBuilder.Services.AddSingleton<IFatalErrorHandler, SiloFatalErrorHandler>();
            siloBuilder.AddAlarmInboxAlarms(Math.Max(1, silo.AlarmStreamQueues));
            siloBuilder.AddDashboard(o =>
            {
                o.HideTrace = true;
                o.CounterUpdateIntervalMs = (int)Math.Max(1000, silo.DashboardSampleInterval.TotalMilliseconds);
            });
            if (!silo.DashboardAlwaysCollect)
            {
                siloBuilder.Services.AddDashboardCollectionWhileWatched();
            }

            siloBuilder.AddActivityPropagation();
        });
        builder.AddSmtpInbound();
        return builder;
    }
}
