using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Reliability;

/// <summary>
/// A silo tuned for failure tests: IDLE heartbeat 2 s and command timeout 2 s (a dead connection shows within about
/// 4 s), backoff from 0.5 s capped at 3 s; plus the shared Dovecot.
/// </summary>
public sealed class ReliabilityFixture : IAsyncLifetime
{
    /// <summary>Settings of the silo.</summary>
    public static Dictionary<string, string?> Settings => new()
    {
        ["AlarmInbox:Polling:IdleHeartbeat"] = "00:00:02",
        ["AlarmInbox:Polling:BackoffBase"] = "00:00:00.500",
        ["AlarmInbox:Polling:BackoffCap"] = "00:00:03",
        ["AlarmInbox:Polling:PermanentErrorRetry"] = "00:00:03",
        ["AlarmInbox:Polling:MaxIdleFailures"] = "1000",
        ["AlarmInbox:Polling:PollTimeout"] = "00:00:10",
        ["AlarmInbox:Imap:CommandTimeout"] = "00:00:02",
        ["AlarmInbox:Imap:ConnectTimeout"] = "00:00:03",
    };

    /// <summary>The IMAP server.</summary>
    public DovecotServer Imap { get; } = new();

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; private set; } = null!;

    /// <summary>Creates a tenant of its own and in it a password mailbox on <c>127.0.0.1:<paramref name="port"/></c> (plain IMAP).</summary>
    /// <param name="user">The IMAP user (password <c>geheim</c>).</param>
    /// <param name="port">The server's (or proxy's) port.</param>
    /// <param name="useIdle">Whether IDLE is used where offered.</param>
    /// <param name="pollIntervalSeconds">The poll interval, seconds.</param>
    public Task<IMailboxGrain> CreateMailboxAsync(string user, int port, bool useIdle, int pollIntervalSeconds = 10) =>
        CreateMailboxAsync(Silo, user, port, useIdle, pollIntervalSeconds);

    /// <summary>As <see cref="CreateMailboxAsync(string, int, bool, int)"/>, on a silo of the test's own (other settings).</summary>
    /// <param name="silo">The silo.</param>
    /// <param name="user">The IMAP user (password <c>geheim</c>).</param>
    /// <param name="port">The server's (or proxy's) port.</param>
    /// <param name="useIdle">Whether IDLE is used where offered.</param>
    /// <param name="pollIntervalSeconds">The poll interval, seconds.</param>
    public static async Task<IMailboxGrain> CreateMailboxAsync(TestSilo silo, string user, int port, bool useIdle, int pollIntervalSeconds = 10)
    {
        var tenant = silo.Grains.GetGrain<ITenantGrain>("t-" + Guid.NewGuid().ToString("N")[..12]);
        await tenant.CreateAsync("Feuerwehr Zuverlässig");
        var created = (await tenant.CreateMailboxAsync(MailboxSettingsFor(user, port, useIdle, pollIntervalSeconds), backfill: 0)).Value!;
        return silo.Grains.GetGrain<IMailboxGrain>(created.Config.Id);
    }

    /// <summary>The settings of a password mailbox on <c>127.0.0.1:<paramref name="port"/></c> (plain IMAP, password <c>geheim</c>).</summary>
    public static MailboxSettings MailboxSettingsFor(string user, int port, bool useIdle, int pollIntervalSeconds = 10) => new()
    {
        DisplayName = "Alarm",
        Host = "127.0.0.1",
        Port = port,
        Security = MailboxSecurity.None,
        Username = user,
        Password = "geheim",
        PollIntervalSeconds = pollIntervalSeconds,
        UseIdle = useIdle,
    };

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Imap.InitializeAsync();
        Silo = await TestSilo.StartAsync(settings: Settings);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Imap.DisposeAsync();
    }
}

/// <summary>Tests that share one <see cref="ReliabilityFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<ReliabilityFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "reliability";
}
