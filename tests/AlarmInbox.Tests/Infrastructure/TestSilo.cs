using System.Globalization;
using AlarmInbox.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A real AlarmInbox silo host in this process, composed exactly like <c>src/Silo/Program.cs</c>, on free ports and a
/// data folder of its own. <see cref="RestartAsync"/> stops the host and builds a new one on the same data folder.
/// </summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _extra;
    private readonly Action<IServiceCollection>? _services;
    private IHost? _host;

    private TestSilo(string dataDirectory, Dictionary<string, string?> extra, Action<IServiceCollection>? services)
    {
        DataDirectory = dataDirectory;
        _extra = extra;
        _services = services;
    }

    /// <summary>The data folder (SQLite file and key ring).</summary>
    public string DataDirectory { get; }

    /// <summary>The gateway port of the running host.</summary>
    public int GatewayPort { get; private set; }

    /// <summary>The grain factory of the running host.</summary>
    public IGrainFactory Grains => (_host ?? throw new InvalidOperationException("The silo is stopped.")).Services.GetRequiredService<IGrainFactory>();

    /// <summary>The services of the running host.</summary>
    public IServiceProvider Services => (_host ?? throw new InvalidOperationException("The silo is stopped.")).Services;

    /// <summary>Starts a silo on a new data folder (or the given one).</summary>
    /// <param name="dataDirectory">The data folder; a new one in /tmp when omitted.</param>
    /// <param name="settings">Configuration on top of the test defaults.</param>
    /// <param name="services">Services registered before the silo's own (they win over its TryAdd registrations).</param>
    public static async Task<TestSilo> StartAsync(string? dataDirectory = null, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var silo = new TestSilo(dataDirectory ?? Path.Combine(Path.GetTempPath(), "ai-silo-" + Guid.NewGuid().ToString("N")[..8]), settings ?? [], services);
        await silo.StartHostAsync();
        return silo;
    }

    /// <summary>Stops the host (as a shutdown would) and starts a new one on the same data folder, with new ports.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartHostAsync();
    }

    /// <summary>Stops the host.</summary>
    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
            _host = null;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        TempFolder.DeleteQuietly(DataDirectory);
    }

    private async Task StartHostAsync()
    {
        GatewayPort = FreePort.Next();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = false });
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:AlarmInbox"] = "Warning",
            ["AlarmInbox:Storage:DataDirectory"] = DataDirectory,
            ["AlarmInbox:Silo:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["AlarmInbox:Silo:GatewayPort"] = GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["AlarmInbox:Polling:StartupSpread"] = "00:00:01",
            ["AlarmInbox:Polling:BackoffBase"] = "00:00:01",
            ["AlarmInbox:Polling:PermanentErrorRetry"] = "00:00:05",
            // Dovecot, the fake servers and the webhook receivers of the tests listen on 127.0.0.1, which the product
            // refuses by default (docs/security.md, "Outbound connections"); EgressPolicyTests turns it off again.
            ["AlarmInbox:Egress:AllowLoopback"] = "true",
            // Off unless a test turns it on with a free port: the default 2525 would clash between parallel silos.
            ["AlarmInbox:Smtp:Enabled"] = "false",
        };
        foreach (var (key, value) in _extra)
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        _services?.Invoke(builder.Services);
        builder.AddAlarmInboxSilo();
        _host = builder.Build();
        await _host.StartAsync();
    }
}
