using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AlarmInbox.Tests.Console;

/// <summary>
/// Dovecot, a silo, the API on a real Kestrel port, and Debian's chromium driven by Playwright (no browser download:
/// <c>/usr/bin/chromium</c>, installed by <c>scripts/install-deps.sh</c>). Tests open their own browser contexts.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    /// <summary>The IMAP server.</summary>
    public DovecotServer Imap { get; } = new();

    /// <summary>The silo.</summary>
    public TestSilo Silo { get; private set; } = null!;

    /// <summary>The API.</summary>
    public ApiFactory Api { get; private set; } = null!;

    /// <summary>The console's address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>An HTTP client with the bootstrap operator key, for setting up data through the API.</summary>
    public HttpClient Operator { get; private set; } = null!;

    /// <summary>Where screenshots go (<c>console-screenshots</c> in the test output folder).</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Imap.InitializeAsync();
        Silo = await TestSilo.StartAsync();
        // Open alarms pages check their key every second (default 1 min), so that a revoked key's page ends within a test.
        Api = new ApiFactory(Silo.GatewayPort, new Dictionary<string, string> { ["AlarmInbox:Console:FeedKeyCheckInterval"] = "00:00:01" });
        Api.UseKestrel(0);
        Api.StartServer();
        var addresses = Api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        Operator = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Operator.DefaultRequestHeaders.Authorization = new("Bearer", ApiFactory.OperatorKey);
        Directory.CreateDirectory(ScreenshotDirectory);
        // Expect(...) waits for its condition; Playwright's own 5 s is too short for a page that asks a loaded silo.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox"],
            Headless = true,
        });
    }

    /// <summary>A new browser context (own cookies) at desktop width, or phone width with <paramref name="phone"/>.</summary>
    public async Task<IBrowserContext> NewContextAsync(bool phone = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = phone ? new ViewportSize { Width = 375, Height = 740 } : new ViewportSize { Width = 1280, Height = 900 },
            Locale = "de-DE",
        });
        // First navigations compile Razor views and warm the silo: generous, the CI machine has two busy cores (a sign-in
        // under a load average of 30-60 ran past 30 s).
        context.SetDefaultNavigationTimeout(120_000);
        context.SetDefaultTimeout(60_000);
        return context;
    }

    /// <summary>Creates a tenant and a tenant admin key for it through the API; returns the key.</summary>
    public async Task<string> CreateTenantWithAdminAsync(string tenantId) => (await CreateTenantWithAdminKeyAsync(tenantId)).Key;

    /// <summary>Creates a tenant and a tenant admin key for it through the API; returns the key's id and the key.</summary>
    public async Task<(string Id, string Key)> CreateTenantWithAdminKeyAsync(string tenantId)
    {
        var tenant = await Operator.PostAsJsonAsync("/api/tenants", new { id = tenantId, name = "Feuerwehr " + tenantId });
        tenant.EnsureSuccessStatusCode();
        var key = await Operator.PostAsJsonAsync("/api/keys", new { name = "admin " + tenantId, role = "TenantAdmin", tenantId });
        key.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await key.Content.ReadAsStringAsync())!;
        return ((string)body["apiKey"]!["id"]!, (string)body["key"]!);
    }

    /// <summary>Signs in on a new page with <paramref name="apiKey"/> and waits for the page after the sign-in.</summary>
    public static async Task<IPage> SignInAsync(IBrowserContext context, string apiKey)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("API-Schlüssel").FillAsync(apiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
        // Leaving /signin is the sign-in; what the next page loads is the caller's business (its own navigations wait).
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        return page;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Operator?.Dispose();
        await Api.DisposeAsync();
        await Silo.DisposeAsync();
        await Imap.DisposeAsync();
    }
}

/// <summary>The browser tests share one <see cref="ConsoleFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "console";
}
