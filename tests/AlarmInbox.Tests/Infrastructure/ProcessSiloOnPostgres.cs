using Npgsql;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// One real silo process on a throwaway PostgreSQL database, reaching it directly or through a <see cref="TcpProxy"/>
/// that can cut the database off, and the API of this test process joined to that cluster (it reaches the database
/// directly). Disposing stops the API and the silo, closes the proxy and removes the silo's folder.
/// </summary>
public sealed class ProcessSiloOnPostgres : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly string _directory = Path.Combine("/tmp", "ai-psilo-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _siloConnectionString;

    private ProcessSiloOnPostgres(string connectionString, bool throughProxy, IReadOnlyDictionary<string, string>? apiSettings)
    {
        _siloConnectionString = connectionString;
        if (throughProxy)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            Proxy = new TcpProxy(builder.Port);
            builder.Port = Proxy.Port;
            _siloConnectionString = builder.ConnectionString;
        }

        Silo = SiloProcess.Start("silo1", _siloConnectionString, _directory);
        Api = ApiFactory.ForCluster(connectionString, apiSettings);
    }

    /// <summary>The proxy between the silo and the database; <see langword="null"/> when the silo reaches it directly.</summary>
    public TcpProxy? Proxy { get; }

    /// <summary>The silo process.</summary>
    public SiloProcess Silo { get; private set; }

    /// <summary>The API (an Orleans client of the cluster); <c>Api.CreateClient()</c> sends the operator key.</summary>
    public ApiFactory Api { get; }

    /// <summary>Starts the silo, waits until it is ready, and creates the API.</summary>
    /// <param name="connectionString">The cluster database.</param>
    /// <param name="throughProxy">Whether the silo reaches the database through <see cref="Proxy"/>.</param>
    /// <param name="apiSettings">More settings of the API, such as a short <c>AlarmInbox:Cluster:CallTimeout</c>.</param>
    public static async Task<ProcessSiloOnPostgres> StartAsync(string connectionString, bool throughProxy, IReadOnlyDictionary<string, string>? apiSettings = null)
    {
        var cluster = new ProcessSiloOnPostgres(connectionString, throughProxy, apiSettings);
        try
        {
            await cluster.Silo.WaitReadyAsync(StartTimeout);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the silo gracefully and starts it again on the same database and folder; returns once it is ready.</summary>
    public async Task RestartSiloAsync()
    {
        await Silo.StopAsync(TimeSpan.FromSeconds(60));
        await Silo.DisposeAsync();
        Silo = SiloProcess.Start("silo1", _siloConnectionString, _directory);
        await Silo.WaitReadyAsync(StartTimeout);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Silo.DisposeAsync();
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        TempFolder.DeleteQuietly(_directory);
    }
}
