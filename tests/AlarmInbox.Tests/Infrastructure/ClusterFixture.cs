namespace AlarmInbox.Tests.Infrastructure;

/// <summary>One Dovecot, one silo and the API, shared by the tests of the <see cref="ClusterCollection"/>; tests use fresh tenants, users and mailboxes.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>The IMAP server.</summary>
    public DovecotServer Imap { get; } = new();

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; private set; } = null!;

    /// <summary>The API.</summary>
    public ApiFactory Api { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Imap.InitializeAsync();
        Silo = await TestSilo.StartAsync();
        Api = new ApiFactory(Silo.GatewayPort);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Silo.DisposeAsync();
        await Imap.DisposeAsync();
    }
}

/// <summary>Tests that share one <see cref="ClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "cluster";
}
