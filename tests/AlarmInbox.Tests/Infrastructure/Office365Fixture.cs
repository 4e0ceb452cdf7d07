using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// Dovecot validating bearer tokens signed by a <see cref="FakeEntra"/>, and a silo plus API whose MSAL HTTP goes to that
/// fake. Tests use fresh users and fresh app registrations (distinct client ids, as MSAL's throttling is process-wide).
/// </summary>
public sealed class Office365Fixture : IAsyncLifetime
{
    /// <summary>The IMAP server.</summary>
    public DovecotServer Imap { get; } = new();

    /// <summary>The token endpoint.</summary>
    public FakeEntra Entra { get; } = new();

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; private set; } = null!;

    /// <summary>The API.</summary>
    public ApiFactory Api { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Imap.InitializeAsync();
        await Imap.SetOAuthKeyAsync(Entra.Key);
        Silo = await TestSilo.StartAsync(
            settings: new() { ["AlarmInbox:Office365:ExchangePropagationTime"] = "00:00:00" },
            services: s => s.AddSingleton(Entra.HttpClientFactory));
        Api = new ApiFactory(Silo.GatewayPort);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Silo.DisposeAsync();
        await Imap.DisposeAsync();
        Entra.Dispose();
    }
}

/// <summary>Tests that share one <see cref="Office365Fixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class Office365Collection : ICollectionFixture<Office365Fixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "office365";
}
