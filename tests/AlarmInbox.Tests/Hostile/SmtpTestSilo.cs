using System.Globalization;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Api;
using AlarmInbox.Tests.Inbound;
using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace AlarmInbox.Tests.Hostile;

/// <summary>A real silo with its SMTP listener on a free loopback port and the real API in front of it, with settings of the test's own.</summary>
public sealed class SmtpTestSilo : IAsyncDisposable
{
    /// <summary>The envelope sender the corpus settings accept.</summary>
    public const string Leitstelle = "alarmierung@ils-musterland.example";

    private readonly ApiFactory _api;
    private readonly HttpClient _http;

    private SmtpTestSilo(TestSilo silo, int port)
    {
        Silo = silo;
        SmtpPort = port;
        _api = new ApiFactory(silo.GatewayPort);
        _http = _api.CreateClient();
        Api = new ApiTestClient(_http);
    }

    /// <summary>GET of a plain-text endpoint (<c>/health/ready</c>): status and body.</summary>
    public async Task<(int Status, string Text)> GetTextAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; }

    /// <summary>The SMTP port.</summary>
    public int SmtpPort { get; }

    /// <summary>The API client (operator key).</summary>
    public ApiTestClient Api { get; }

    /// <summary>Starts a silo with SMTP on loopback and <paramref name="settings"/> on top.</summary>
    public static async Task<SmtpTestSilo> StartAsync(Dictionary<string, string?> settings)
    {
        var port = FreePort.Next();
        var all = SmtpSiloFixture.SmtpSettings(port);
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return new SmtpTestSilo(await TestSilo.StartAsync(settings: all), port);
    }

    /// <summary>Creates a tenant with the corpus settings and an inbound address; returns the tenant id, address id and address.</summary>
    public async Task<(string TenantId, string AddressId, string Address)> CreateAddressAsync()
    {
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(Silo.Grains);
        var created = await Api.PostAsync($"/api/tenants/{tenantId}/inbound-addresses", new { description = "Leitstelle" });
        Assert.Equal(201, created.Status);
        return (tenantId, (string)created.Body!["id"]!, (string)created.Body!["address"]!);
    }

    /// <summary>Sends one message from <paramref name="localAddress"/> (a loopback address; Linux routes all of 127/8 to lo) and returns the server's reply text.</summary>
    public async Task<string> SendAsync(MimeMessage message, string recipient, string localAddress = "127.0.0.1")
    {
        using var client = new SmtpClient { LocalDomain = "sender.test", LocalEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Parse(localAddress), 0) };
        await client.ConnectAsync("127.0.0.1", SmtpPort, SecureSocketOptions.None);
        var reply = await client.SendAsync(message, MailboxAddress.Parse(Leitstelle), [MailboxAddress.Parse(recipient)]);
        await client.DisconnectAsync(quit: true);
        return reply;
    }

    /// <summary>An alarm mail with an incident number.</summary>
    public static MimeMessage Mail(string subject, string incident, string? extraText = null)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("ILS Musterland", Leitstelle));
        message.To.Add(MailboxAddress.Parse("wehr@ff-musterdorf.example"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = $"Einsatznummer: {incident}\nStichwort: {subject}\n{extraText}" };
        return message;
    }

    /// <summary>The setting value of a duration.</summary>
    public static string Seconds(double seconds) => TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await Silo.DisposeAsync();
    }
}
