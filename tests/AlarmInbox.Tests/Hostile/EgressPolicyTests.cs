using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AlarmInbox.Grains.Egress;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Api;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Tests.Hostile;

/// <summary>Issue 16, finding 9 (SSRF): targets given through the API are checked at connect time, after DNS resolution.</summary>
public sealed class EgressPolicyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.1.2.3", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("0.0.0.0", "loopback")]
    [InlineData("169.254.169.254", "metadata")]
    [InlineData("169.254.10.10", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00:ec2::254", "metadata")]
    [InlineData("100.100.100.200", "metadata")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("::127.0.0.1", "loopback")]
    [InlineData("64:ff9b::127.0.0.1", "loopback")]
    [InlineData("64:ff9b::a9fe:a9fe", "metadata")]
    [InlineData("64:ff9b::169.254.10.10", "link-local")]
    [InlineData("2002:7f00:1::", "loopback")]
    [InlineData("2002:a9fe:a9fe::1", "metadata")]
    public void TheDefaultPolicyRefusesLoopbackLinkLocalMetadataAndMulticast(string address, string reason)
    {
        var refusal = Policy(new EgressOptions()).Refusal(IPAddress.Parse(address), 993);
        Assert.NotNull(refusal);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::10.1.2.3")]
    [InlineData("64:ff9b::10.1.2.3")]
    [InlineData("2002:0a01:0203::1")]
    public void IPv6FormsOfAPrivateIPv4AddressFollowTheIPv4Rules(string address)
    {
        Assert.Null(Policy(new EgressOptions()).Refusal(IPAddress.Parse(address), 993));
        Assert.Contains("private network", Policy(new EgressOptions { AllowPrivateNetworks = false }).Refusal(IPAddress.Parse(address), 993), StringComparison.Ordinal);
        Assert.Null(Policy(new EgressOptions { AllowPrivateNetworks = false, AllowedNetworks = ["10.1.2.0/24"] }).Refusal(IPAddress.Parse(address), 993));
    }

    [Fact]
    public void PublicIPv6AddressesAreNotReadAsIPv4() =>
        Assert.Null(Policy(new EgressOptions { AllowPrivateNetworks = false }).Refusal(IPAddress.Parse("2001:db8::a01:203"), 993));

    [Fact]
    public void PrivateNetworksAreAllowedByDefaultAndConfigurableByTheOperator()
    {
        var onPremises = IPAddress.Parse("10.1.2.3");
        Assert.Null(Policy(new EgressOptions()).Refusal(onPremises, 993));
        Assert.Null(Policy(new EgressOptions()).Refusal(IPAddress.Parse("192.0.2.10"), 993));
        Assert.Contains("private network", Policy(new EgressOptions { AllowPrivateNetworks = false }).Refusal(onPremises, 993), StringComparison.Ordinal);
        Assert.Null(Policy(new EgressOptions { AllowPrivateNetworks = false, AllowedNetworks = ["10.1.2.0/24"] }).Refusal(onPremises, 993));
        Assert.Contains("denied", Policy(new EgressOptions { DeniedNetworks = ["10.1.0.0/16"] }).Refusal(onPremises, 993), StringComparison.Ordinal);
        Assert.Contains("port 30000", Policy(new EgressOptions { DeniedPorts = [30000] }).Refusal(onPremises, 30000), StringComparison.Ordinal);
        // Loopback when the operator allows it (development, these tests), but never the metadata address.
        Assert.Null(Policy(new EgressOptions { AllowLoopback = true }).Refusal(IPAddress.Loopback, 10143));
        Assert.NotNull(Policy(new EgressOptions { AllowLinkLocal = true, AllowedNetworks = ["169.254.0.0/16"] }).Refusal(IPAddress.Parse("169.254.169.254"), 80));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1")]
    [InlineData("2130706433")]
    [InlineData("[::1]")]
    [InlineData("localhost")]
    public async Task EveryWayOfWritingLoopbackIsRefusedBeforeAnythingIsSent(string host)
    {
        using var listener = new BannerListener();
        var denied = await Assert.ThrowsAsync<EgressDeniedException>(() => Policy(new EgressOptions()).ConnectAsync(host, listener.Port, CancellationToken.None));
        Assert.Equal("egress_denied", denied.Code);
        Assert.Equal(0, listener.Accepted);
    }

    [Fact]
    public async Task WebhooksToLoopbackAndMetadataAddressesAreNeverCalledAndSayEgressDenied()
    {
        await using var silo = await TestSilo.StartAsync(settings: new(AlarmSiloFixture.FastRetries)
        {
            ["AlarmInbox:Egress:AllowLoopback"] = "false",
            ["AlarmInbox:Webhooks:MaxAttempts"] = "2",
        });
        await using var receiver = new WebhookReceiver();
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        var outbox = silo.Grains.GetGrain<IWebhookOutboxGrain>(tenantId);
        string[] urls =
        [
            receiver.Url,
            $"http://127.1:{receiver.Port}/hooks",
            $"http://2130706433:{receiver.Port}/hooks",
            $"http://[::1]:{receiver.Port}/hooks",
            $"http://localhost:{receiver.Port}/hooks",
            "http://169.254.169.254/latest/meta-data/",
        ];
        foreach (var (url, i) in urls.Select((u, i) => (u, i)))
        {
            await outbox.CreateWebhookAsync(new WebhookSettings { Name = $"W{i}", Url = url, Secret = receiver.Secret });
        }

        var alarms = silo.Grains.GetGrain<ITenantAlarmsGrain>(tenantId);
        await alarms.IngestAsync("mbx-a", [AlarmEvaluatorTests.Decode("01-plain-utf8-keyvalue.eml") with { UidValidity = 7, Uid = 1 }]);
        var alarm = Assert.Single(await alarms.ListAsync(new AlarmQuery()));
        var deliveries = await Eventually.WaitForAsync(
            async () => (await outbox.GetDeliveriesAsync([alarm.Id]))[alarm.Id],
            d => d.Count == urls.Length && d.All(x => x.State != WebhookDeliveryState.Pending), Wait, "every delivery to give up");

        Assert.Empty(receiver.Requests);
        Assert.All(deliveries, d =>
        {
            Assert.Equal(WebhookDeliveryState.DeadLetter, d.State);
            Assert.StartsWith("egress_denied: Connections to ", d.LastError, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task TheConnectionTestToALoopbackServiceIsRefusedAndNoBannerReachesTheTenantAdmin()
    {
        using var listener = new BannerListener();
        var body = new { displayName = "SSRF", host = "127.0.0.1", port = listener.Port, security = "None", username = "u", password = "p" };

        // Default policy: refused before connecting.
        await using (var refusing = await TestSilo.StartAsync(settings: new() { ["AlarmInbox:Egress:AllowLoopback"] = "false" }))
        {
            var result = await TestAsync(refusing, body);
            var tcp = result.Body!["steps"]!.AsArray().Single(s => (string?)s!["name"] == "tcp")!;
            Assert.Equal("Failed", (string?)tcp["outcome"]);
            Assert.Equal("egress_denied", (string?)tcp["code"]);
            Assert.Equal(0, listener.Accepted);
        }

        // Loopback allowed (as in development): the service is reached, but its banner stays out of the answer.
        await using var allowing = await TestSilo.StartAsync();
        var reached = await TestAsync(allowing, body);
        Assert.Equal(1, listener.Accepted);
        Assert.False((bool)reached.Body!["succeeded"]!);
        Assert.DoesNotContain(BannerListener.Secret, reached.Body!.ToJsonString(), StringComparison.Ordinal);
    }

    private static async Task<ApiResponse> TestAsync(TestSilo silo, object body)
    {
        await using var api = new ApiFactory(silo.GatewayPort);
        var client = new ApiTestClient(api.CreateClient());
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(silo.Grains);
        var result = await client.PostAsync($"/api/tenants/{tenantId}/mailboxes/test", body);
        Assert.Equal(200, result.Status);
        return result;
    }

    private static EgressPolicy Policy(EgressOptions options) => new(Options.Create(options));

    /// <summary>A TCP service on 127.0.0.1 that greets with an SSH-like banner holding <see cref="Secret"/>, and counts connections.</summary>
    private sealed class BannerListener : IDisposable
    {
        public const string Secret = "internal-build-7f3a9c";

        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<TcpClient> _clients = [];
        private int _accepted;

        public BannerListener()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        public void Dispose()
        {
            _listener.Stop();
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync();
                    Interlocked.Increment(ref _accepted);
                    _clients.Add(client);
                    await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"SSH-2.0-OpenSSH_9.2p1 {Secret}\r\n"));
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
                // Stopped.
            }
        }
    }
}
