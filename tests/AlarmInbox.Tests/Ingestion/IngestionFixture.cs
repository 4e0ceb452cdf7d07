using System.Globalization;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Tests.Alarms;
using AlarmInbox.Tests.Api;
using AlarmInbox.Tests.Inbound;
using AlarmInbox.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace AlarmInbox.Tests.Ingestion;

/// <summary>
/// Both real paths into one silo: a Dovecot (IMAP) and the silo's SMTP listener on a free loopback port, plus the API;
/// fast webhook retries. Tests use fresh tenants, users, mailboxes and addresses.
/// </summary>
public class IngestionFixture : IAsyncLifetime
{
    /// <summary>The dispatch centre's address, the only allowed sender of the tenants made here.</summary>
    public const string Leitstelle = "alarmierung@ils-musterland.example";

    private ApiFactory? _api;

    /// <summary>The IMAP server.</summary>
    public DovecotServer Imap { get; } = new();

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; private set; } = null!;

    /// <summary>The SMTP port.</summary>
    public int SmtpPort { get; private set; }

    /// <summary>The API client (operator key).</summary>
    public ApiTestClient Api { get; private set; } = null!;

    /// <summary>The grains.</summary>
    public IGrainFactory Grains => Silo.Grains;

    /// <summary>A tenant whose sender filter names only the dispatch centre, with keyword source <c>Auto</c> (the default), and a webhook to <paramref name="receiver"/>.</summary>
    public async Task<string> CreateTenantAsync(WebhookReceiver receiver)
    {
        var tenantId = "t-" + Guid.NewGuid().ToString("N")[..12];
        await Grains.GetGrain<ITenantGrain>(tenantId).CreateAsync("Feuerwehr Musterdorf");
        await Grains.GetGrain<ITenantAlarmsGrain>(tenantId).SetSettingsAsync(new EvaluationSettings { AllowedSenders = [Leitstelle] });
        await Grains.GetGrain<IWebhookOutboxGrain>(tenantId).CreateWebhookAsync(new WebhookSettings { Name = "Alarmierung", Url = receiver.Url, Secret = receiver.Secret });
        return tenantId;
    }

    /// <summary>A new Dovecot user and a polled (no IDLE) mailbox of the tenant for it.</summary>
    public async Task<(string User, IMailboxGrain Mailbox, string MailboxId)> CreateMailboxAsync(string tenantId)
    {
        var user = await Imap.CreateUserAsync();
        var created = (await Grains.GetGrain<ITenantGrain>(tenantId).CreateMailboxAsync(
            new MailboxSettings
            {
                UseIdle = false,
                DisplayName = "Alarm " + user,
                Host = Imap.Host,
                Port = Imap.ImapPort,
                Security = MailboxSecurity.None,
                Username = user,
                Password = "geheim",
                PollIntervalSeconds = 300,
            },
            0)).Value!;
        return (user, Grains.GetGrain<IMailboxGrain>(created!.Config.Id), created.Config.Id);
    }

    /// <summary>An inbound address of the tenant, made through the API; returns its id and address.</summary>
    public async Task<(string AddressId, string Address)> CreateAddressAsync(string tenantId)
    {
        var created = await Api.PostAsync($"/api/tenants/{tenantId}/inbound-addresses", new { description = "Leitstelle" });
        Assert.Equal(201, created.Status);
        return ((string)created.Body!["id"]!, (string)created.Body!["address"]!);
    }

    /// <summary>Sends a corpus mail over SMTP with the mail's own From as the envelope sender (so the envelope does not pass the sender filter for it).</summary>
    public async Task SendCorpusAsync(string fileName, string address)
    {
        var mail = await MimeMessage.LoadAsync(Path.Combine(RepoPaths.CorpusMail, fileName));
        var envelopeFrom = mail.From.Mailboxes.First().Address;
        using var client = new SmtpClient { LocalDomain = "sender.test" };
        await client.ConnectAsync("127.0.0.1", SmtpPort, SecureSocketOptions.None);
        await client.SendAsync(mail, MailboxAddress.Parse(envelopeFrom), [MailboxAddress.Parse(address)]);
        await client.DisconnectAsync(quit: true);
    }

    /// <summary>Sends raw mail bytes over SMTP from the dispatch centre's address to <paramref name="address"/>.</summary>
    public async Task SendRawAsync(byte[] raw, string address)
    {
        using var client = new SmtpClient { LocalDomain = "sender.test" };
        await client.ConnectAsync("127.0.0.1", SmtpPort, SecureSocketOptions.None);
        await client.SendAsync(MimeMessage.Load(new MemoryStream(raw)), MailboxAddress.Parse(Leitstelle), [MailboxAddress.Parse(address)]);
        await client.DisconnectAsync(quit: true);
    }

    /// <summary>Appends a corpus mail to a user's INBOX and polls the mailbox once.</summary>
    public async Task DeliverOverImapAsync(string fileName, string user, IMailboxGrain mailbox)
    {
        await Imap.AppendCorpusAsync(user, fileName);
        var poll = await mailbox.PollNowAsync();
        Assert.True(poll!.Succeeded, poll.Error?.Message);
        Assert.Equal(1, poll.NewMessages);
    }

    /// <summary>The messages stored for an inbound address, once there are <paramref name="count"/>.</summary>
    public Task<IReadOnlyList<MailMessage>> InboundMessagesAsync(string addressId, int count) =>
        Eventually.WaitForAsync(() => Grains.GetGrain<IInboundAddressGrain>(addressId).GetMessagesAsync(50), m => m.Count >= count, TimeSpan.FromSeconds(30), $"{count} messages at {addressId}");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Imap.InitializeAsync();
        SmtpPort = FreePort.Next();
        var settings = new Dictionary<string, string?>(AlarmSiloFixture.FastRetries);
        foreach (var (key, value) in SmtpSiloFixture.SmtpSettings(SmtpPort))
        {
            settings[key] = value;
        }

        settings["AlarmInbox:Smtp:MaxMessageBytes"] = (1024 * 1024).ToString(CultureInfo.InvariantCulture);
        // These tests pin the size and depth caps; the per-mail time budget (tested in BoundedDecodingTests) is set to its
        // maximum so that a loaded test machine does not cut the decoding of a large mail short before a cap is reached.
        settings["AlarmInbox:Ingestion:MailBudget"] = "00:00:20";
        Configure(settings);
        Silo = await TestSilo.StartAsync(settings: settings);
        _api = new ApiFactory(Silo.GatewayPort);
        Api = new ApiTestClient(_api.CreateClient());
    }

    /// <summary>Changes the silo's settings before it starts (fixtures derived from this one).</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await Silo.DisposeAsync();
        await Imap.DisposeAsync();
    }
}
