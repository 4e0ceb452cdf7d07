using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlarmInbox.Tests.Edges;

/// <summary>
/// The real Dovecot (password and XOAUTH2 logins; on 127.0.0.2 each user may hold one session), the local token
/// endpoint, and a silo whose MSAL goes to it. Backoff after transient failures is long (30 s, cap 60 s), so that a test
/// can tell an immediate reconnect from a backed-off one by waiting for a condition well inside 30 s; permanent errors
/// retry every 3 s, the IDLE heartbeat is 2 s. The IMAP and poll timeouts are the product's defaults: on a
/// loaded 2-core machine (20 mailboxes logging in at once in <c>EarlySettingsFixTests</c>) a 2 s command timeout can turn
/// a slow answer into a transient failure, and with it a 30 s backoff or a first error other than the one a test set up.
/// </summary>
public sealed class EdgesFixture : IAsyncLifetime
{
    /// <summary>The address of the test Dovecot where each user may hold only one session (scripts/dev-imap.sh).</summary>
    public const string LimitedHost = "127.0.0.2";

    /// <summary>The IMAP server.</summary>
    public DovecotServer Imap { get; } = new();

    /// <summary>The token endpoint.</summary>
    public FakeEntra Entra { get; } = new();

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; private set; } = null!;

    /// <summary>The grain factory.</summary>
    public IGrainFactory Grains => Silo.Grains;

    /// <summary>Password settings for <paramref name="user"/> on the test Dovecot (plain IMAP on loopback).</summary>
    public MailboxSettings PasswordSettings(string user, bool useIdle, string password = "geheim", int? port = null, string? host = null) => new()
    {
        DisplayName = "Alarm " + user,
        Host = host ?? Imap.Host,
        Port = port ?? Imap.ImapPort,
        Security = MailboxSecurity.None,
        Username = user,
        Password = password,
        PollIntervalSeconds = 10,
        UseIdle = useIdle,
    };

    /// <summary>Office 365 settings for <paramref name="user"/> with the app registration <paramref name="app"/>.</summary>
    public MailboxSettings Office365Settings(string user, FakeEntra.App app, bool useIdle, string? secret = null, int? port = null, string? host = null) => new()
    {
        DisplayName = "Alarm " + user,
        Host = host ?? Imap.Host,
        Port = port ?? Imap.ImapPort,
        Security = MailboxSecurity.None,
        Username = user,
        AuthType = MailboxAuthType.Office365,
        PollIntervalSeconds = 10,
        UseIdle = useIdle,
        Office365 = new Office365Settings { Tenant = app.TenantId, ClientId = app.ClientId, ClientSecret = secret ?? app.Secret },
    };

    /// <summary>Creates a tenant of its own and the mailbox in it; returns the grain and what the creation answered.</summary>
    public async Task<(IMailboxGrain Mailbox, MailboxDetails Created)> CreateAsync(MailboxSettings settings)
    {
        var tenant = Grains.GetGrain<ITenantGrain>("t-" + Guid.NewGuid().ToString("N")[..12]);
        await tenant.CreateAsync("Feuerwehr Kante");
        var created = (await tenant.CreateMailboxAsync(settings, backfill: 0)).Value!;
        return (Grains.GetGrain<IMailboxGrain>(created!.Config.Id), created);
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Imap.InitializeAsync();
        await Imap.SetOAuthKeyAsync(Entra.Key);
        Silo = await TestSilo.StartAsync(
            settings: new()
            {
                ["AlarmInbox:Office365:ExchangePropagationTime"] = "00:00:00",
                ["AlarmInbox:Polling:IdleHeartbeat"] = "00:00:02",
                ["AlarmInbox:Polling:BackoffBase"] = "00:00:30",
                ["AlarmInbox:Polling:BackoffCap"] = "00:01:00",
                ["AlarmInbox:Polling:ConnectionLimitBackoffCap"] = "00:01:00",
                ["AlarmInbox:Polling:PermanentErrorRetry"] = "00:00:03",
                ["AlarmInbox:Polling:MaxIdleFailures"] = "1000",
            },
            services: s => s.AddSingleton(Entra.HttpClientFactory));
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Imap.DisposeAsync();
        Entra.Dispose();
    }
}

/// <summary>Tests that share one <see cref="EdgesFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class EdgesCollection : ICollectionFixture<EdgesFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "edges";
}
