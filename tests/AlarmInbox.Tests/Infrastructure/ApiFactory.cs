using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>The real API (<c>src/Api/Program.cs</c>) in this process, connected as an Orleans client to a <see cref="TestSilo"/>.</summary>
/// <param name="gatewayPort">The silo's gateway port.</param>
public sealed class ApiFactory(int gatewayPort) : WebApplicationFactory<Program>
{
    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("AlarmInbox:Cluster:GatewayPort", gatewayPort.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}
