using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// The real API (<c>src/Api/Program.cs</c>) in this process, connected as an Orleans client to a <see cref="TestSilo"/> or, with
/// <paramref name="settings"/> such as <c>AlarmInbox:Cluster:Provider</c>, to a cluster.
/// Clients from <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> send the bootstrap operator key; use
/// <see cref="CreateClient(string?)"/> for another key or none.
/// </summary>
/// <param name="gatewayPort">The silo's gateway port.</param>
/// <param name="settings">More settings, such as a low <c>AlarmInbox:Api:RateLimitPermits</c>.</param>
/// <param name="services">Services added after the API's own (e.g. a capturing logger provider).</param>
public sealed class ApiFactory(int gatewayPort, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    /// <summary>The bootstrap operator key the tests configure.</summary>
    public const string OperatorKey = "test-bootstrap-operator-key-0123456789abcdef";

    /// <summary>
    /// The API joined to a cluster on PostgreSQL: it finds the silos in the membership table of <paramref name="connectionString"/>
    /// (the gateway port is not used then).
    /// </summary>
    /// <param name="connectionString">The cluster database.</param>
    /// <param name="settings">More settings, such as a short <c>AlarmInbox:Cluster:CallTimeout</c>.</param>
    public static ApiFactory ForCluster(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>
        {
            ["AlarmInbox:Cluster:Provider"] = "PostgreSql",
            ["AlarmInbox:Cluster:ConnectionString"] = connectionString,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        return new ApiFactory(1, all);
    }

    /// <summary>A client that sends <paramref name="apiKey"/> as a bearer token, or no key when null.</summary>
    public HttpClient CreateClient(string? apiKey)
    {
        // No automatic redirects: HttpClient drops the Authorization header when it follows one.
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = apiKey is null ? null : new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("AlarmInbox:Cluster:GatewayPort", gatewayPort.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("AlarmInbox:Api:BootstrapOperatorKey", OperatorKey);
        builder.UseSetting("AlarmInbox:Api:RateLimitPermits", "1000000");
        // Orleans' own 30 s instead of the product's 5 s: the suite runs many silos on two shared cores, where a
        // healthy call can stall for seconds. ApiFailureTests sets a short one to test the timeout itself.
        builder.UseSetting("AlarmInbox:Cluster:CallTimeout", "00:00:30");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }

    /// <inheritdoc />
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
    }
}
