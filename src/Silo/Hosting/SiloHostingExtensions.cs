using AlarmInbox.Grains;
using AlarmInbox.Silo.Alarms;
using AlarmInbox.Silo.Mailboxes;
using AlarmInbox.Silo.Smtp;
using AlarmInbox.Silo.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace AlarmInbox.Silo.Hosting;

/// <summary>Composes the AlarmInbox silo.</summary>
public static class SiloHostingExtensions
{
    /// <summary>The SQLite file name inside the data folder.</summary>
    public const string SqliteFileName = "alarminbox.db";

    /// <summary>
    /// Adds the Orleans silo with the grains, storage, clustering and reminders chosen by configuration (see
    /// <see cref="StorageOptions"/> and <see cref="SiloOptions"/>). The embedded default needs no database server.
    /// </summary>
    /// <exception cref="InvalidOperationException">The configuration names an unknown storage provider.</exception>
    public static HostApplicationBuilder AddAlarmInboxSilo(this HostApplicationBuilder builder)
    {
        var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        var silo = builder.Configuration.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions();
        if (!string.Equals(storage.Provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"AlarmInbox:Storage:Provider '{storage.Provider}' is not supported; use 'Sqlite'.");
        }

        var dataDirectory = Path.GetFullPath(storage.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var connectionString = storage.ConnectionString ?? new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, SqliteFileName),
            DefaultTimeout = 30,
            Pooling = true,
        }.ToString();

        // The schema must exist before the storage provider reads its queries at silo start.
        SqliteSchema.EnsureCreatedAsync(connectionString, CancellationToken.None).GetAwaiter().GetResult();

        builder.Services.AddDataProtection()
            .SetApplicationName("AlarmInbox")
            .PersistKeysToFileSystem(new DirectoryInfo(storage.KeyDirectory ?? Path.Combine(dataDirectory, "keys")));
        builder.Services.AddAlarmInboxGrains();

        builder.UseOrleans(siloBuilder =>
        {
            siloBuilder.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
            siloBuilder.AddAdoNetGrainStorage(StorageNames.Default, options =>
            {
                options.Invariant = "System.Data.SQLite";
                options.ConnectionString = connectionString;
                options.DeleteStateOnClear = true;
            });
            siloBuilder.UseSystemTextJsonGrainStorageSerializer();
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.Configure<ReminderOptions>(builder.Configuration.GetSection("Orleans:Reminders"));
            siloBuilder.AddStartupTask<MailboxResumeStartupTask>();
            siloBuilder.AddAlarmInboxAlarms();
        });
        builder.AddSmtpInbound();
        return builder;
    }
}
