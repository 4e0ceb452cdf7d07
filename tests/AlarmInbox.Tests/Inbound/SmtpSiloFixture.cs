using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Api;
using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace AlarmInbox.Tests.Inbound;

/// <summary>
/// A real silo with the SMTP listener on a free loopback port (domain <see cref="Domain"/>, 1 MiB size limit, at most
/// 3 recipients, STARTTLS with a self-signed certificate) and the real API in front of it; tests use fresh tenants.
/// </summary>
public sealed class SmtpSiloFixture : IAsyncLifetime
{
    /// <summary>The inbound address domain.</summary>
    public const string Domain = "alarm.test";

    /// <summary>The message size limit of the fixture's listener, in bytes.</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    private ApiFactory? _api;
    private string _certificatePath = "";

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; private set; } = null!;

    /// <summary>The SMTP port.</summary>
    public int SmtpPort { get; private set; }

    /// <summary>The API client.</summary>
    public ApiTestClient Api { get; private set; } = null!;

    /// <summary>Settings that turn the listener on at <paramref name="port"/> on loopback.</summary>
    public static Dictionary<string, string?> SmtpSettings(int port) => new()
    {
        ["AlarmInbox:Smtp:Enabled"] = "true",
        ["AlarmInbox:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
        ["AlarmInbox:Smtp:BindAddress"] = "127.0.0.1",
        ["AlarmInbox:Smtp:Domain"] = Domain,
        ["AlarmInbox:Smtp:ServerName"] = "smtp.alarm.test",
    };

    /// <summary>An API client that sends <paramref name="apiKey"/> (the operator's is <see cref="Api"/>).</summary>
    public ApiTestClient ClientFor(string? apiKey) => new(_api!.CreateClient(apiKey));

    /// <summary>Creates a tenant with the corpus evaluation settings and an inbound address through the API; returns the tenant id, address id and address.</summary>
    public async Task<(string TenantId, string AddressId, string Address)> CreateAddressAsync()
    {
        var tenantId = await AlarmSiloFixture.CreateTenantAsync(Silo.Grains);
        var created = await Api.PostAsync($"/api/tenants/{tenantId}/inbound-addresses", new { description = "Leitstelle" });
        Assert.Equal(201, created.Status);
        return (tenantId, (string)created.Body!["id"]!, (string)created.Body!["address"]!);
    }

    /// <summary>A MailKit client connected to the listener (plain, or with STARTTLS).</summary>
    public async Task<SmtpClient> ConnectAsync(bool startTls = false)
    {
        var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, LocalDomain = "sender.test" };
        await client.ConnectAsync("127.0.0.1", SmtpPort, startTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None);
        return client;
    }

    /// <summary>Sends one message with an explicit envelope and disconnects.</summary>
    public async Task<string> SendAsync(MimeMessage message, string envelopeFrom, params string[] recipients)
    {
        using var client = await ConnectAsync();
        var reply = await client.SendAsync(message, MailboxAddress.Parse(envelopeFrom), recipients.Select(MailboxAddress.Parse));
        await client.DisconnectAsync(quit: true);
        return reply;
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        SmtpPort = FreePort.Next();
        _certificatePath = Path.Combine(Path.GetTempPath(), "ai-smtp-" + Guid.NewGuid().ToString("N")[..8] + ".pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=smtp.alarm.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(_certificatePath, certificate.Export(X509ContentType.Pfx, "test-password"));
        }

        var settings = SmtpSettings(SmtpPort);
        settings["AlarmInbox:Smtp:MaxMessageBytes"] = MaxMessageBytes.ToString(CultureInfo.InvariantCulture);
        settings["AlarmInbox:Smtp:MaxRecipientsPerMessage"] = "3";
        // HundredConcurrentSendsAreAllStoredExactlyOnce opens 100 sessions at once from 127.0.0.1.
        settings["AlarmInbox:Smtp:MaxSessionsPerClient"] = "150";
        settings["AlarmInbox:Smtp:CertificatePath"] = _certificatePath;
        settings["AlarmInbox:Smtp:CertificatePassword"] = "test-password";
        Silo = await TestSilo.StartAsync(settings: settings);
        _api = new ApiFactory(Silo.GatewayPort);
        Api = new ApiTestClient(_api.CreateClient());
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await Silo.DisposeAsync();
        File.Delete(_certificatePath);
    }
}
