using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>The real API (<c>src/Api/Program.cs</c>) in this process, connected as an Orleans client to a <see cref="TestSilo"/> or, with <paramref name="settings"/>, to a cluster.</summary>
/// <param name="gatewayPort">The silo's gateway port (localhost mode).</param>
/// <param name="settings">More settings, such as <c>AlarmInbox:Cluster:Provider</c> and <c>AlarmInbox:Cluster:ConnectionString</c>.</param>
public sealed class ApiFactory(int gatewayPort, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("AlarmInbox:Cluster:GatewayPort", gatewayPort.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }
}
