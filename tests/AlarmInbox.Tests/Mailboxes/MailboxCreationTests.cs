using System.Net;
using System.Net.Sockets;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Security;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Mailboxes;

/// <summary>
/// Creating a mailbox waits for its first contact with the server (the answer carries the watermark), but only the new
/// mailbox waits: the tenant grain answers its other calls meanwhile (issue 15).
/// </summary>
public sealed class MailboxCreationTests : IAsyncLifetime
{
    private TestSilo _silo = null!;

    [Fact]
    public async Task TheTenantAnswersAndCreatesAnotherMailboxWhileANewOneWaitsForItsSilentServer()
    {
        using var silent = new SilentServer();
        var tenant = await NewTenantAsync();

        var slow = tenant.CreateMailboxAsync(Settings("slow") with { Port = silent.Port, Enabled = true }, backfill: 0);
        await silent.WaitForContactAsync();

        // The contact now waits for a greeting for up to two minutes (settings below); before, every call on the
        // tenant waited with it and these ran into the 30 s call timeout.
        var listed = await tenant.GetAsync();
        var other = await tenant.CreateMailboxAsync(Settings("other"), backfill: 0);
        Assert.False(slow.IsCompleted);
        Assert.Single(listed!.MailboxIds);
        Assert.True(other.Succeeded);

        // The server goes away: the first contact fails, and the create answers with the mailbox and its error.
        silent.Stop();
        var created = await slow;
        Assert.True(created.Succeeded);
        Assert.NotNull(created.Value!.Status.LastError);
        Assert.Equal(
            new[] { created.Value.Config.Id, other.Value!.Config.Id }.Order(),
            (await tenant.GetAsync())!.MailboxIds.Order());
    }

    [Fact]
    public async Task ATenantDeletedWhileItsNewMailboxWaitsForItsServerLeavesNoMailboxBehind()
    {
        using var silent = new SilentServer();
        var tenant = await NewTenantAsync();

        // A key of the tenant: the tenant's delete revokes it first, which shows that the delete is running.
        var keys = _silo.Grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key);
        var keyId = Guid.NewGuid().ToString("N")[..12];
        var key = new NewApiKey { Id = keyId, Name = "Leitstelle", Role = ApiKeyRole.TenantAdmin, TenantId = tenant.GetPrimaryKeyString(), SecretHash = new byte[32], CreatedBy = "test" };
        Assert.True((await keys.CreateAsync(key)).Succeeded);

        var slow = tenant.CreateMailboxAsync(Settings("slow") with { Port = silent.Port, Enabled = true }, backfill: 0);
        await silent.WaitForContactAsync();
        var mailboxId = Assert.Single((await tenant.GetAsync())!.MailboxIds);

        // The delete runs on the tenant while the new mailbox still waits for its server; it waits for the mailbox, whose
        // first contact ends when the server goes, and then deletes it.
        var deleted = tenant.DeleteAsync(cascade: true);
        await Eventually.WaitForAsync(() => keys.FindAsync(keyId), found => found?.RevokedAt is not null, TimeSpan.FromSeconds(60), "the tenant's delete to revoke its key");
        Assert.False(slow.IsCompleted);
        silent.Stop();

        Assert.Null(await deleted);
        var created = await slow;
        Assert.Null(await _silo.Grains.GetGrain<IMailboxGrain>(mailboxId).GetAsync());
        Assert.Null(await tenant.GetAsync());
        // Which answer the create gets depends on whether it saw its mailbox listed before the delete took it off the list
        // (created, then deleted) or after (not found); either way no mailbox is left behind.
        Assert.True(created.Succeeded ? created.Value!.Config.Id == mailboxId : created.Error?.Field == "tenantId", created.Error?.Detail);
    }

    [Fact]
    public async Task ARefusedMailboxLeavesNoIdOnTheTenant()
    {
        var tenant = await NewTenantAsync();

        var refused = await tenant.CreateMailboxAsync(Settings("bad") with { Port = 0 }, backfill: 0);

        Assert.False(refused.Succeeded);
        Assert.Empty((await tenant.GetAsync())!.MailboxIds);
        Assert.Equal("tenantId", (await _silo.Grains.GetGrain<ITenantGrain>("mbc-missing").CreateMailboxAsync(Settings("x"), backfill: 0)).Error?.Field);
    }

    /// <inheritdoc />
    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync(settings: new()
    {
        ["AlarmInbox:Imap:ConnectTimeout"] = "00:02:00",
        ["AlarmInbox:Polling:InitialContactTimeout"] = "00:02:00",
    });

    /// <inheritdoc />
    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private async Task<ITenantGrain> NewTenantAsync()
    {
        var tenant = _silo.Grains.GetGrain<ITenantGrain>("mbc-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.True((await tenant.CreateAsync("Feuerwehr Stillbach")).Succeeded);
        return tenant;
    }

    private static MailboxSettings Settings(string name) => new()
    {
        DisplayName = $"Alarm {name}",
        Host = "127.0.0.1",
        Port = 143,
        Security = MailboxSecurity.None,
        Username = $"{name}@example.org",
        Password = "geheim",
        Enabled = false,
    };

    /// <summary>A server whose TCP stack takes the connection but which never greets (nothing accepts it from the backlog).</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public SilentServer() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        /// <summary>Waits until the mailbox's first contact has connected (its connection waits in the backlog).</summary>
        public Task WaitForContactAsync() =>
            Eventually.WaitForAsync(() => Task.FromResult(_listener.Pending()), pending => pending, TimeSpan.FromSeconds(60), "the first contact to connect");

        /// <summary>Closes the listener: the waiting connection is reset and the first contact fails.</summary>
        public void Stop() => _listener.Stop();

        public void Dispose() => _listener.Stop();
    }
}
