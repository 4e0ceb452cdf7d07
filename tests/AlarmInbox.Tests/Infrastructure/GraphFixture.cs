using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.DependencyInjection;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeEntra"/> token endpoint, a <see cref="FakeGraph"/> that accepts its tokens, and a silo plus API whose MSAL
/// HTTP goes to that token endpoint. Tests use fresh mailboxes and fresh app registrations (distinct client ids).
/// </summary>
public sealed class GraphFixture : IAsyncLifetime
{
    /// <summary>The token endpoint.</summary>
    public FakeEntra Entra { get; } = new();

    /// <summary>The Graph server.</summary>
    public FakeGraph Graph { get; private set; } = null!;

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; private set; } = null!;

    /// <summary>The API.</summary>
    public ApiFactory Api { get; private set; } = null!;

    /// <summary>Registers an app whose tokens are for Microsoft Graph and carry no mail role (access comes from the "Exchange role assignment" of the fake).</summary>
    public FakeEntra.App RegisterGraphApp(string mailbox) => Entra.Register(mailbox, a =>
    {
        a.Audience = FakeGraph.Audience;
        a.Roles = [];
    });

    /// <summary>The app registration as a mailbox's settings hold it.</summary>
    public static Office365Settings Settings(FakeEntra.App app) => new()
    {
        Tenant = app.TenantId,
        ClientId = app.ClientId,
        ClientSecret = app.Secret,
        Scope = Office365Settings.GraphScope,
    };

    /// <summary>Starts a silo that shares this fixture's token endpoint (for restart tests that need their own).</summary>
    public Task<TestSilo> StartSiloAsync() => TestSilo.StartAsync(services: s => s.AddSingleton(Entra.HttpClientFactory));

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Graph = await FakeGraph.StartAsync(Entra.Key);
        Silo = await StartSiloAsync();
        Api = new ApiFactory(Silo.GatewayPort);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Silo.DisposeAsync();
        await Graph.DisposeAsync();
        Entra.Dispose();
    }
}

/// <summary>Tests that share one <see cref="GraphFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class GraphCollection : ICollectionFixture<GraphFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "graph";
}
