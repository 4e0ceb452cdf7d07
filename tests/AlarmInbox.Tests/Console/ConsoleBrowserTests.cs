using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using AlarmInbox.Api.Console.Feed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AlarmInbox.Tests.Console;

/// <summary>The web console in Debian's chromium against the real silo, API and Dovecot.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleBrowserTests(ConsoleFixture console)
{
    private const string Password = "Geheim-7c1e!";

    [Fact]
    public async Task TenantAdminAddsMailboxThroughGuidedFlowAndSeesNewAlarmInLiveFeedWithinTwoSeconds()
    {
        var tenant = NewTenantId();
        var key = await console.CreateTenantWithAdminAsync(tenant);
        var user = await console.Imap.CreateUserAsync(Password);
        var hub = console.Api.Services.GetRequiredService<AlarmFeedHub>();
        await using var context = await console.NewContextAsync();
        var page = await ConsoleFixture.SignInAsync(context, key);
        Assert.EndsWith($"/t/{tenant}", page.Url, StringComparison.Ordinal);

        var mailboxId = await AddPasswordMailboxAsync(page, tenant, user);
        // A second mailbox on the same IMAP account: the same mail arrives twice, and stays one alarm with two receipts.
        var second = await CreateMailboxThroughApiAsync(tenant, user, displayName: "Zweitweg");
        await WaitForIdleSessionAsync(tenant, mailboxId);
        await WaitForIdleSessionAsync(tenant, second);
        await page.GotoAsync($"/t/{tenant}/alarms");
        var other = await context.NewPageAsync();
        await other.GotoAsync($"/t/{tenant}/alarms");
        await Assertions.Expect(page.Locator("#live-state")).ToHaveTextAsync("Live: neue Alarme erscheinen hier sofort.");
        await Assertions.Expect(other.Locator("#live-state")).ToHaveTextAsync("Live: neue Alarme erscheinen hier sofort.");
        var watching = await Infrastructure.Eventually.WaitForAsync(
            () => Task.FromResult(hub.Watching(tenant)), w => w.Pages == 2 && w.Subscribed, TimeSpan.FromSeconds(30), "both pages on the tenant's one stream subscription");
        await page.EvaluateAsync("""
            () => {
              window.__appeared = {};
              new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => { if (n.id) { window.__appeared[n.id] = Date.now(); } })))
                .observe(document.getElementById('alarm-list'), { childList: true });
            }
            """);
        var streamItems = hub.StreamItems;
        await console.Imap.AppendCorpusAsync(user, "01-plain-utf8-keyvalue.eml", Password);

        var item = page.Locator("#alarm-list li.alarm").Filter(new() { HasText = "B3 Wohnhausbrand" });
        await Assertions.Expect(item).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        // The tenant's subscription got the alarm from the stream (the per-tenant catch-up may have been first under load).
        await Infrastructure.Eventually.WaitForAsync(
            () => Task.FromResult(hub.StreamItems), n => n > streamItems, TimeSpan.FromSeconds(30), "the alarm through the stream subscription");
        await Assertions.Expect(other.Locator("#alarm-list li.alarm").Filter(new() { HasText = "B3 Wohnhausbrand" })).ToHaveCountAsync(1);
        var alarmId = (await item.GetAttributeAsync("id"))!["alarm-".Length..];
        var appearedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)await page.EvaluateAsync<double>($"() => window.__appeared['alarm-{alarmId}']"));
        var alarm = JsonNode.Parse(await console.Operator.GetStringAsync($"/api/tenants/{tenant}/alarms/{alarmId}"))!;
        var evaluatedAt = DateTimeOffset.Parse((string)alarm["evaluatedAt"]!, CultureInfo.InvariantCulture);

        Assert.Equal((2, true), watching);
        Assert.InRange((appearedAt - evaluatedAt).TotalMilliseconds, -1_000, 2_000);
        await Assertions.Expect(item.Locator(".incident")).ToHaveTextAsync("Einsatz 2026-113456");
        await Assertions.Expect(item.Locator(".address")).ToHaveTextAsync("Lindenweg 7, 12345 Musterdorf, Mehrfamilienhaus");
        await Assertions.Expect(item.Locator("a.map")).ToHaveAttributeAsync("href", "https://www.openstreetmap.org/?mlat=49.412345&mlon=8.694321#map=17/49.412345/8.694321");
        await Assertions.Expect(item.Locator(".badge-late")).ToHaveTextAsync("verspätet");

        // Closing the pages ends the tenant's subscription.
        await other.CloseAsync();
        await page.GotoAsync($"/t/{tenant}");
        await Infrastructure.Eventually.WaitForAsync(
            () => Task.FromResult(hub.Watching(tenant)), w => w.Pages == 0 && !w.Subscribed, TimeSpan.FromSeconds(30), "the tenant's feed to end with its last page");

        // The alarm's page: both arrivals, the second one a repeat that changed nothing.
        await Infrastructure.Eventually.WaitForAsync(
            () => console.Operator.GetFromJsonAsync<JsonNode>($"/api/tenants/{tenant}/alarms/{alarmId}"),
            a => a?["receipts"]?.AsArray().Count == 2,
            TimeSpan.FromSeconds(60),
            "the second mailbox's receipt");
        await page.GotoAsync($"/t/{tenant}/alarms/{alarmId}");
        var receipts = page.Locator("#alarm-receipts tbody tr");
        await Assertions.Expect(receipts).ToHaveCountAsync(2);
        await Assertions.Expect(receipts.Nth(0).Locator("td").Nth(1)).ToHaveTextAsync("IMAP");
        await Assertions.Expect(receipts.Nth(0).Locator("td").Nth(4)).ToHaveTextAsync("Mail des Stands");
        await Assertions.Expect(receipts.Nth(1).Locator("td").Nth(4)).ToHaveTextAsync("Wiederholung");
        await Assertions.Expect(page.Locator("#alarm-receipts")).ToContainTextAsync("Alarm-Postfach");
        await Assertions.Expect(page.Locator("#alarm-receipts")).ToContainTextAsync("Zweitweg");
        await page.ScreenshotAsync(new() { Path = Path.Combine(console.ScreenshotDirectory, "alarm-receipts-desktop.png"), FullPage = true });
    }

    [Fact]
    public async Task AnOpenAlarmsPageGoesToTheSignInAtItsNextKeyCheckOnceItsKeyIsRevoked()
    {
        var tenant = NewTenantId();
        var (keyId, key) = await console.CreateTenantWithAdminKeyAsync(tenant);
        await using var context = await console.NewContextAsync();
        var page = await ConsoleFixture.SignInAsync(context, key);
        await page.GotoAsync($"/t/{tenant}/alarms");
        await Assertions.Expect(page.Locator("#live-state")).ToHaveTextAsync("Live: neue Alarme erscheinen hier sofort.");

        (await console.Operator.DeleteAsync(new Uri($"/api/keys/{keyId}", UriKind.Relative))).EnsureSuccessStatusCode();

        // The fixture's FeedKeyCheckInterval is 1 s; with the default the first check would come a minute after the page opened.
        await page.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal), new() { Timeout = 45_000 });
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Office365StepsCheckEachPastedValueAndFillInThePowerShellBlock()
    {
        var tenant = NewTenantId();
        var key = await console.CreateTenantWithAdminAsync(tenant);
        await using var context = await console.NewContextAsync();
        var page = await ConsoleFixture.SignInAsync(context, key);
        await page.GotoAsync($"/t/{tenant}/mailboxes/new");

        await page.GetByLabel("Microsoft 365 (Office 365)").CheckAsync();
        await page.GetByLabel("Adresse des Postfachs", new() { Exact = true }).FillAsync("alarm@ff-musterdorf.de");
        await page.GetByLabel("Verzeichnis-ID (Mandanten-ID) oder Domäne", new() { Exact = true }).FillAsync("not a tenant");
        await page.GetByLabel("Anwendungs-ID (Client-ID)", new() { Exact = true }).FillAsync("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        await page.GetByLabel("Geheimer Clientschlüssel – Wert", new() { Exact = true }).FillAsync("9c1d6a2e-0b7f-4e55-8a7e-51a0c0b7e2d4");
        await page.GetByLabel("Objekt-ID der Unternehmensanwendung", new() { Exact = true }).FillAsync("3f2504e0-4f89-11d3-9a0c-0305e82c3301");

        await Assertions.Expect(page.Locator("#Form_O365Tenant-error")).ToContainTextAsync("Verzeichnis-ID (Mandanten-ID) oder Domäne: erwartet wird die Verzeichnis-ID");
        await Assertions.Expect(page.Locator("#Form_O365ClientId-error")).ToHaveTextAsync("");
        await Assertions.Expect(page.Locator("#Form_O365ClientSecret-error")).ToContainTextAsync("das ist die Geheimnis-ID");
        await Assertions.Expect(page.Locator("#Form_O365ObjectId-error")).ToContainTextAsync("das ist die Anwendungs-ID");

        await page.GetByLabel("Verzeichnis-ID (Mandanten-ID) oder Domäne", new() { Exact = true }).FillAsync("ff-musterdorf.de");
        await page.GetByLabel("Objekt-ID der Unternehmensanwendung", new() { Exact = true }).FillAsync("6a0e1f7b-2c3d-4e5f-8a9b-0c1d2e3f4a5b");
        await Assertions.Expect(page.Locator("#Form_O365Tenant-error")).ToHaveTextAsync("");
        await Assertions.Expect(page.Locator("#Form_O365ObjectId-error")).ToHaveTextAsync("");
        var script = page.Locator("#o365-script");
        await Assertions.Expect(script).ToContainTextAsync("New-ServicePrincipal -AppId 3f2504e0-4f89-11d3-9a0c-0305e82c3301 -ObjectId 6a0e1f7b-2c3d-4e5f-8a9b-0c1d2e3f4a5b");
        await Assertions.Expect(script).ToContainTextAsync("Add-MailboxPermission -Identity \"alarm@ff-musterdorf.de\" -User 6a0e1f7b-2c3d-4e5f-8a9b-0c1d2e3f4a5b -AccessRights FullAccess");
        await Assertions.Expect(script).ToContainTextAsync("Connect-ExchangeOnline -Organization ff-musterdorf.de");

        await page.ScreenshotAsync(new() { Path = Path.Combine(console.ScreenshotDirectory, "office365-steps-desktop.png"), FullPage = true });
        var steps = page.Locator(".o365-steps > li");
        for (var step = 0; step < 6; step++)
        {
            await steps.Nth(step).ScreenshotAsync(new() { Path = Path.Combine(console.ScreenshotDirectory, $"office365-step{step + 1}-desktop.png") });
        }

        // Graph: the same app registration values, Exchange's role assignment for exactly this mailbox instead.
        await page.GetByLabel("Microsoft 365 über Microsoft Graph").CheckAsync();
        var graphScript = page.Locator("#graph-script");
        await Assertions.Expect(script).ToBeHiddenAsync();
        await Assertions.Expect(graphScript).ToContainTextAsync("New-ManagementRoleAssignment -Name \"AlarmInbox Mail.Read alarm@ff-musterdorf.de\" -Role \"Application Mail.Read\" -App 3f2504e0-4f89-11d3-9a0c-0305e82c3301 -CustomResourceScope \"AlarmInbox alarm@ff-musterdorf.de\"");
        await Assertions.Expect(graphScript).ToContainTextAsync("-RecipientRestrictionFilter \"PrimarySmtpAddress -eq 'alarm@ff-musterdorf.de'\"");
        await Assertions.Expect(page.GetByLabel("Verzeichnis-ID (Mandanten-ID) oder Domäne", new() { Exact = true })).ToBeVisibleAsync();
        await steps.Nth(2).ScreenshotAsync(new() { Path = Path.Combine(console.ScreenshotDirectory, "graph-step3-desktop.png") });
        await steps.Nth(4).ScreenshotAsync(new() { Path = Path.Combine(console.ScreenshotDirectory, "graph-step5-desktop.png") });

        // Saved with the secret's expiry date a week ahead: the mailbox page shows the date and warns.
        await page.GetByLabel("Microsoft 365 (Office 365)").CheckAsync();
        await page.GetByLabel("Anzeigename", new() { Exact = true }).FillAsync("Alarm Office 365");
        await page.GetByLabel("Geheimer Clientschlüssel – Wert", new() { Exact = true }).FillAsync("Xq8~r2Vb.Kp4sT9wLm3nZc7yH1dF6gJ0aE5uQ2iO");
        var expires = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(7));
        await page.GetByLabel("Geheimer Clientschlüssel – läuft ab am", new() { Exact = true }).FillAsync(expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Speichern" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/mailboxes/mbx-", StringComparison.Ordinal), new() { Timeout = 60_000 });
        var mailboxId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        var stored = JsonNode.Parse(await console.Operator.GetStringAsync($"/api/tenants/{tenant}/mailboxes/{mailboxId}"))!;

        Assert.Equal(new DateTimeOffset(expires, TimeOnly.MinValue, TimeSpan.Zero), DateTimeOffset.Parse((string)stored["office365"]!["clientSecretExpiresAt"]!, CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#secret-expiry")).ToHaveClassAsync("expiry-near");
        await Assertions.Expect(page.Locator("#secret-expiry")).ToContainTextAsync(expires.ToString("d", CultureInfo.GetCultureInfo("de")));
        await Assertions.Expect(page.Locator("#secret-expiry")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("noch [67] Tage"));
        await Assertions.Expect(page.Locator("#expiry-warning")).ToContainTextAsync("läuft bald ab");
        await page.ScreenshotAsync(new() { Path = Path.Combine(console.ScreenshotDirectory, "mailbox-expiry-desktop.png"), FullPage = true });

        // The shared silo need not keep asking Entra for this mailbox's token.
        (await console.Operator.DeleteAsync($"/api/tenants/{tenant}/mailboxes/{mailboxId}")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task RuleTesterShowsTheAlarmWithEachFieldsSourceMarkedInTheMailText()
    {
        var tenant = NewTenantId();
        var key = await console.CreateTenantWithAdminAsync(tenant);
        var user = await console.Imap.CreateUserAsync(Password);
        var mailboxId = await CreateMailboxThroughApiAsync(tenant, user);
        var settings = await console.Operator.PutAsJsonAsync($"/api/tenants/{tenant}/alarm-settings", new { keywordSource = "Label", keywordLabel = "Stichwort" });
        settings.EnsureSuccessStatusCode();
        await using var context = await console.NewContextAsync();
        var page = await ConsoleFixture.SignInAsync(context, key);
        var mail = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Corpus", "mail", "01-plain-utf8-keyvalue.eml"));

        await page.GotoAsync($"/t/{tenant}/rules");
        await Assertions.Expect(page.GetByLabel("Postfach (seine Einstellungen)")).ToHaveValueAsync(mailboxId);
        await page.GetByLabel("Mail einfügen", new() { Exact = true }).FillAsync(mail);
        await page.GetByRole(AriaRole.Button, new() { Name = "Auswerten" }).ClickAsync();

        var result = page.Locator("#rule-result");
        await Assertions.Expect(result.Locator("h2")).ToHaveTextAsync("Das ist ein Alarm");
        await Assertions.Expect(page.Locator("#decision")).ToContainTextAsync("Absenderprüfung: keine Liste, jeder Absender ist erlaubt.");
        await Assertions.Expect(page.Locator("#fields tr[data-field='Einsatznummer'] td").Nth(1)).ToHaveTextAsync("Bezeichnung im Text");
        await Assertions.Expect(page.Locator("#fields tr[data-field='keyword'] td").Nth(1)).ToHaveTextAsync("Bezeichnung „Stichwort“ im Text");
        await Assertions.Expect(page.Locator("#source-text mark[data-source='Straße']")).ToHaveTextAsync("Lindenweg 7");
        await Assertions.Expect(page.Locator("#source-text mark[data-source='Einsatznummer']")).ToHaveTextAsync("2026-113456");
        await Assertions.Expect(result.Locator("li.alarm .keyword")).ToHaveTextAsync("B3 Wohnhausbrand");
    }

    [Fact]
    public async Task OperatorSeesTheFleetFailingFirstAndOpensTheOrleansDashboardFromTheSession()
    {
        var tenant = NewTenantId();
        var key = await console.CreateTenantWithAdminAsync(tenant);
        var user = await console.Imap.CreateUserAsync(Password);
        await CreateMailboxThroughApiAsync(tenant, user);
        var failing = await CreateMailboxThroughApiAsync(tenant, user, password: "falsch", displayName: "Falsches Passwort");
        await Infrastructure.Eventually.WaitForAsync(
            () => console.Operator.GetFromJsonAsync<JsonNode>($"/api/tenants/{tenant}/mailboxes/{failing}"),
            mailbox => (string?)mailbox?["status"]?["lastError"]?["code"] == "auth_failed",
            TimeSpan.FromSeconds(60),
            "the mailbox with the wrong password to fail");
        await using var context = await console.NewContextAsync();
        var page = await ConsoleFixture.SignInAsync(context, Infrastructure.ApiFactory.OperatorKey);
        await using var adminContext = await console.NewContextAsync();
        var adminPage = await ConsoleFixture.SignInAsync(adminContext, key);

        await page.GotoAsync("/fleet");
        var firstRow = page.Locator("#fleet tbody tr").First;
        await Assertions.Expect(firstRow).ToHaveClassAsync("health-failing");
        await Assertions.Expect(page.Locator("#by-error")).ToContainTextAsync("auth_failed");
        var dashboard = await page.GotoAsync("/dashboard");
        var adminFleet = await adminPage.GotoAsync("/fleet");
        var adminKeys = await adminPage.GotoAsync("/keys");
        var adminDashboard = await adminPage.GotoAsync("/dashboard");

        Assert.Equal(200, dashboard!.Status);
        Assert.Contains("text/html", dashboard.Headers["content-type"], StringComparison.Ordinal);
        Assert.Equal(404, adminFleet!.Status);
        Assert.Equal(404, adminKeys!.Status);
        Assert.Equal(401, adminDashboard!.Status);

        // The shared silo need not keep retrying a wrong password for the other tests.
        (await console.Operator.DeleteAsync($"/api/tenants/{tenant}/mailboxes/{failing}")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task WebhookDeliveryIsSentAgainWithTheSameIdempotencyKeyFromTheWebhooksPage()
    {
        var tenant = NewTenantId();
        var key = await console.CreateTenantWithAdminAsync(tenant);
        var user = await console.Imap.CreateUserAsync(Password);
        await using var receiver = new Infrastructure.WebhookReceiver();
        var webhook = await console.Operator.PostAsJsonAsync($"/api/tenants/{tenant}/webhooks", new { name = "Alarmierungs-App", url = receiver.Url, secret = receiver.Secret });
        webhook.EnsureSuccessStatusCode();
        var webhookId = (string)JsonNode.Parse(await webhook.Content.ReadAsStringAsync())!["id"]!;
        await CreateMailboxThroughApiAsync(tenant, user);
        await console.Imap.AppendCorpusAsync(user, "01-plain-utf8-keyvalue.eml", Password);
        var first = await Infrastructure.Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted), list => list.Count == 1, TimeSpan.FromSeconds(60), "the first delivery");
        var unknown = await console.Operator.PostAsync($"/api/tenants/{tenant}/webhooks/{webhookId}/deliveries/alm-none.1/redeliver", null);
        await using var context = await console.NewContextAsync();
        var page = await ConsoleFixture.SignInAsync(context, key);

        await page.GotoAsync($"/t/{tenant}/webhooks");
        await page.GetByRole(AriaRole.Button, new() { Name = "Erneut senden" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Zustellung wird erneut gesendet." })).ToBeVisibleAsync();
        var both = await Infrastructure.Eventually.WaitForAsync(() => Task.FromResult(receiver.Accepted), list => list.Count == 2, TimeSpan.FromSeconds(60), "the second delivery");

        Assert.Equal(404, (int)unknown.StatusCode);
        Assert.Equal(first[0].IdempotencyKey, both[1].IdempotencyKey);
        Assert.Equal(first[0].Body, both[1].Body);
        Assert.True(both[1].SignatureValid);
    }

    [Fact]
    public async Task TenantAdminGetsNotFoundForAnotherTenantAndBadRequestForAFormWithoutAntiforgeryToken()
    {
        var tenant = NewTenantId();
        var other = NewTenantId();
        var key = await console.CreateTenantWithAdminAsync(tenant);
        await console.CreateTenantWithAdminAsync(other);
        await using var context = await console.NewContextAsync();
        var page = await ConsoleFixture.SignInAsync(context, key);

        var overview = await page.GotoAsync($"/t/{other}");
        var alarms = await page.GotoAsync($"/t/{other}/alarms");
        var newMailbox = await page.GotoAsync($"/t/{other}/mailboxes/new");
        var own = await page.GotoAsync($"/t/{tenant}/mailboxes/new");
        var forged = await page.APIRequest.PostAsync($"/t/{tenant}/mailboxes/new?handler=Save", new()
        {
            Form = FormOf(page.APIRequest, new Dictionary<string, string>
            {
                ["Form.AuthType"] = "Password", ["Form.DisplayName"] = "x", ["Form.Username"] = "u", ["Form.Password"] = "p",
                ["Form.Host"] = "127.0.0.1", ["Form.Port"] = "143", ["Form.Security"] = "None", ["Form.Folder"] = "INBOX", ["Form.PollIntervalSeconds"] = "60",
            }),
            MaxRedirects = 0,
        });
        var mailboxes = JsonNode.Parse(await console.Operator.GetStringAsync($"/api/tenants/{tenant}/mailboxes"))!.AsArray();

        Assert.Equal(404, overview!.Status);
        Assert.Equal(404, alarms!.Status);
        Assert.Equal(404, newMailbox!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Postfach hinzufügen" })).ToBeVisibleAsync();
        Assert.Equal(200, own!.Status);
        Assert.Equal(400, forged.Status);
        Assert.Empty(mailboxes);
    }

    [Fact]
    public async Task SignOutEndsTheSessionEvenForACopiedCookie()
    {
        var tenant = NewTenantId();
        var key = await console.CreateTenantWithAdminAsync(tenant);
        await using var context = await console.NewContextAsync();
        var page = await ConsoleFixture.SignInAsync(context, key);
        var cookies = await context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "alarminbox.session");

        await page.GetByRole(AriaRole.Button, new() { Name = "Abmelden" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal));
        await page.GotoAsync($"/t/{tenant}");
        var afterSignOut = page.Url;
        await using var replay = await console.NewContextAsync();
        await replay.AddCookiesAsync([new Cookie { Name = session.Name, Value = session.Value, Domain = session.Domain, Path = session.Path }]);
        var replayPage = await replay.NewPageAsync();
        await replayPage.GotoAsync($"/t/{tenant}");

        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(key, session.Value, StringComparison.Ordinal);
        Assert.Contains("/signin", afterSignOut, StringComparison.Ordinal);
        Assert.Contains("/signin", replayPage.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPageHasNoSeriousAccessibilityViolationsAtDesktopAndPhoneWidth()
    {
        var tenant = NewTenantId();
        var key = await console.CreateTenantWithAdminAsync(tenant);
        var user = await console.Imap.CreateUserAsync(Password);
        string mailboxId;
        await using (var setup = await console.NewContextAsync())
        {
            var page = await ConsoleFixture.SignInAsync(setup, key);
            mailboxId = await AddPasswordMailboxAsync(page, tenant, user);
        }

        await console.Imap.AppendCorpusAsync(user, "01-plain-utf8-keyvalue.eml", Password);
        var alarms = await Infrastructure.Eventually.WaitForAsync(
            () => console.Operator.GetFromJsonAsync<JsonArray>($"/api/tenants/{tenant}/alarms"),
            list => list?.Count == 1,
            TimeSpan.FromSeconds(60),
            "the alarm of the appended mail");
        var alarmId = (string)alarms![0]!["id"]!;
        await console.Operator.PostAsJsonAsync($"/api/tenants/{tenant}/inbound-addresses", new { description = "Leitstelle" });
        await console.Operator.PostAsJsonAsync($"/api/tenants/{tenant}/webhooks", new { name = "Alarmierungsempfangsschnittstellenverwaltungsdienst", url = "https://hooks.ff.example/alarm", secret = "WH-Console-0123456789" });

        var pages = new (string Name, string Path, bool Operator)[]
        {
            ("signin", "/signin", false),
            ("tenants", "/", true),
            ("overview", $"/t/{tenant}", false),
            ("add-mailbox", $"/t/{tenant}/mailboxes/new", false),
            ("mailbox", $"/t/{tenant}/mailboxes/{mailboxId}", false),
            ("edit-mailbox", $"/t/{tenant}/mailboxes/{mailboxId}/edit", false),
            ("alarms", $"/t/{tenant}/alarms", false),
            ("alarm", $"/t/{tenant}/alarms/{alarmId}", false),
            ("rules", $"/t/{tenant}/rules?mailbox={mailboxId}&uid=1", false),
            ("inbound", $"/t/{tenant}/inbound", false),
            ("webhooks", $"/t/{tenant}/webhooks", false),
            ("fleet", "/fleet", true),
            ("keys", "/keys", true),
            ("audit", "/audit", true),
        };
        var violations = new List<string>();
        foreach (var phone in new[] { false, true })
        {
            await using var admin = await console.NewContextAsync(phone);
            await using var op = await console.NewContextAsync(phone);
            var adminPage = await ConsoleFixture.SignInAsync(admin, key);
            var operatorPage = await ConsoleFixture.SignInAsync(op, Infrastructure.ApiFactory.OperatorKey);
            foreach (var (name, path, asOperator) in pages)
            {
                var page = name == "signin" ? await (await console.NewContextAsync(phone)).NewPageAsync() : asOperator ? operatorPage : adminPage;
                var response = await page.GotoAsync(path);
                Assert.Equal(200, response!.Status);
                if (name == "inbound")
                {
                    // The test silo keeps the default domain (alarm.localhost): no mail from outside could reach the address.
                    await Assertions.Expect(page.Locator("#inbound-domain-hint")).ToContainTextAsync("AlarmInbox:Smtp:Domain");
                }

                await page.ScreenshotAsync(new() { Path = Path.Combine(console.ScreenshotDirectory, $"{name}-{(phone ? "phone" : "desktop")}.png"), FullPage = true });
                if (phone && await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth") is > 0 and var wider)
                {
                    // A long German compound (the webhook's name) or URL must wrap, not widen the page.
                    violations.Add($"{path} (phone): the page is {wider} px wider than the screen");
                }

                var result = await page.RunAxe();
                violations.AddRange(result.Violations
                    .Where(v => v.Impact is "serious" or "critical")
                    .Select(v => $"{path} ({(phone ? "phone" : "desktop")}): {v.Id} {v.Impact}: {string.Join(", ", v.Nodes.Select(n => n.Html))}"));
            }
        }

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public async Task KeyboardOnlySignInAddMailboxTestAndSaveWithFocusAlwaysVisibleAndOneAuditEntryPerChange()
    {
        var tenant = NewTenantId();
        var key = await console.CreateTenantWithAdminAsync(tenant);
        var user = await console.Imap.CreateUserAsync(Password);
        await using var context = await console.NewContextAsync();
        var page = await context.NewPageAsync();
        var focus = new List<string>();
        await page.GotoAsync("/signin");

        // Tab to a control, then use it with Enter, Space, arrow keys or typing only.
        await TabToAsync(page, "#key", focus);
        await page.Keyboard.TypeAsync(key);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => url.EndsWith($"/t/{tenant}", StringComparison.Ordinal));
        await TabToAsync(page, "main a[href$='/mailboxes/new']", focus);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => url.EndsWith("/mailboxes/new", StringComparison.Ordinal));
        await TabToAsync(page, "#auth-password", focus);
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(page.Locator("#auth-office365")).ToBeCheckedAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(page.Locator("#auth-password")).ToBeCheckedAsync();
        await TabToAsync(page, "#Form_DisplayName", focus);
        await page.Keyboard.TypeAsync("Tastatur-Postfach");
        await TabToAsync(page, "#Form_Username", focus);
        await page.Keyboard.TypeAsync(user);
        await TabToAsync(page, "#Form_Host", focus);
        await page.Keyboard.TypeAsync(console.Imap.Host);
        await TabToAsync(page, "#Form_Security", focus);
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(page.Locator("#Form_Security")).ToHaveValueAsync("None");
        await TabToAsync(page, "#Form_Port", focus);
        await page.Keyboard.PressAsync("ControlOrMeta+A");
        await page.Keyboard.TypeAsync(console.Imap.ImapPort.ToString(CultureInfo.InvariantCulture));
        await TabToAsync(page, "#Form_Password", focus);
        await page.Keyboard.TypeAsync(Password);
        await TabToAsync(page, "#test", focus);
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(page.Locator("#test-result h2")).ToHaveTextAsync("Verbindungstest bestanden");

        // The page comes back at the result, below the fields: back up to the password (write-only, entered again).
        await TabToAsync(page, "#Form_Password", focus, backwards: true);
        await page.Keyboard.TypeAsync(Password);
        await TabToAsync(page, "#save", focus);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => url.Contains("/mailboxes/mbx-", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("main h1")).ToHaveTextAsync("Tastatur-Postfach");
        var audit = JsonNode.Parse(await console.Operator.GetStringAsync("/api/audit?limit=500"))!["entries"]!.AsArray()
            .Where(e => (string?)e!["tenantId"] == tenant && (string?)e["method"] == "POST")
            .Select(e => (string)e!["route"]!)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(focus.Count >= 9, string.Join(", ", focus));
        // One entry per change, the API call's: none for the console's own page requests that made them.
        Assert.Equal(2, audit.Count);
        Assert.All(audit, route => Assert.StartsWith("/api/tenants/{tenantId}/mailboxes", route, StringComparison.Ordinal));
        Assert.Single(audit, route => route.EndsWith("/test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApiValidationMessagesAreGermanWithFieldLabelsAndEnglishWhenSwitched()
    {
        var tenant = NewTenantId();
        var key = await console.CreateTenantWithAdminAsync(tenant);
        var messages = new Dictionary<string, (string Host, string Interval)>();
        foreach (var language in new[] { "de", "en" })
        {
            // Without JavaScript the browser's own checks are gone, so the API's answers are what the page shows.
            await using var context = await console.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = console.BaseUrl, JavaScriptEnabled = false, Locale = "de-DE" });
            var page = await ConsoleFixture.SignInAsync(context, key);
            if (language == "en")
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "English" }).ClickAsync();
                await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Deutsch" })).ToBeVisibleAsync();
            }

            await page.GotoAsync($"/t/{tenant}/mailboxes/new");
            await page.Locator("#Form_DisplayName").FillAsync("Alarm");
            await page.Locator("#Form_Username").FillAsync("alarm");
            await page.Locator("#Form_Host").FillAsync("imaps://mail.ff.example:993");
            await page.Locator("#Form_Password").FillAsync(Password);
            await page.Locator("#Form_PollIntervalSeconds").FillAsync("5");
            await page.Locator("#save").ClickAsync();
            messages[language] = (await page.Locator("#Form_Host-error").InnerTextAsync(), await page.Locator("#Form_PollIntervalSeconds-error").InnerTextAsync());
            await page.ScreenshotAsync(new() { Path = Path.Combine(console.ScreenshotDirectory, $"api-errors-{language}-desktop.png"), FullPage = true });
        }

        var mailboxes = JsonNode.Parse(await console.Operator.GetStringAsync($"/api/tenants/{tenant}/mailboxes"))!.AsArray();

        Assert.Equal("Server: „imaps://mail.ff.example:993“ ist kein Servername und keine IP-Adresse (nur der Name: ohne imaps://, Port oder Pfad, z. B. imap.example.org).", messages["de"].Host);
        Assert.Equal("Abrufintervall (Sekunden): muss zwischen 10 und 86400 liegen; eingegeben: 5.", messages["de"].Interval);
        Assert.Equal("Server: “imaps://mail.ff.example:993” is neither a host name nor an IP address (the name only: no imaps://, port or path, e.g. imap.example.org).", messages["en"].Host);
        Assert.Equal("Poll interval (seconds): must be between 10 and 86400; entered: 5.", messages["en"].Interval);
        Assert.Empty(mailboxes);
    }

    /// <summary>Presses Tab (Shift+Tab when <paramref name="backwards"/>) until <paramref name="selector"/> has the focus (at most 60 times); every focused element must show a visible focus ring.</summary>
    private static async Task TabToAsync(IPage page, string selector, List<string> visited, bool backwards = false)
    {
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
            var state = (await page.EvaluateAsync<string>("""
                (selector) => {
                  const e = document.activeElement;
                  const s = getComputedStyle(e);
                  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== 'none');
                  return [e.matches(selector), ring && e.matches(':focus-visible'), e.tagName + '#' + (e.id || e.textContent.trim().slice(0, 20))].join('|');
                }
                """, selector)).Split('|', 3);
            visited.Add(state[2]);
            Assert.True(state[1] == "true", $"no visible focus on {state[2]} while tabbing to {selector}");
            if (state[0] == "true")
            {
                return;
            }
        }

        Assert.Fail($"Tab never reached {selector}; visited {string.Join(", ", visited.TakeLast(60))}");
    }

    private async Task<string> AddPasswordMailboxAsync(IPage page, string tenant, string user)
    {
        await page.GotoAsync($"/t/{tenant}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Postfach hinzufügen" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Port", new() { Exact = true })).ToHaveValueAsync("993");
        await page.GetByLabel("Anzeigename", new() { Exact = true }).FillAsync("Alarm-Postfach");
        await page.GetByLabel("Benutzername", new() { Exact = true }).FillAsync(user);
        await page.GetByLabel("Server", new() { Exact = true }).FillAsync("imaps://" + console.Imap.Host);
        await Assertions.Expect(page.Locator("#Form_Host-error")).ToContainTextAsync("Server: nur der Servername");
        await page.GetByLabel("Server", new() { Exact = true }).FillAsync(console.Imap.Host);
        await page.GetByLabel("Verschlüsselung", new() { Exact = true }).SelectOptionAsync("None");
        await Assertions.Expect(page.GetByLabel("Port", new() { Exact = true })).ToHaveValueAsync("143");
        await page.GetByLabel("Port", new() { Exact = true }).FillAsync(console.Imap.ImapPort.ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("Passwort", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("Abrufintervall (Sekunden)", new() { Exact = true }).FillAsync("10");

        await page.GetByRole(AriaRole.Button, new() { Name = "Verbindung testen" }).ClickAsync();
        await Assertions.Expect(page.Locator("#test-result h2")).ToHaveTextAsync("Verbindungstest bestanden");

        // The page comes back scrolled to the result (it is below the form's fields, far below the top on a phone).
        await Assertions.Expect(page.Locator("#test-result h2")).ToBeInViewportAsync();
        await Assertions.Expect(page.Locator("#test-result [data-step='authenticate']")).ToHaveClassAsync("step step-passed");
        await Assertions.Expect(page.Locator("#test-result .step-failed")).ToHaveCountAsync(0);

        // The password is write-only: after the test it is not in the page (neither in the field nor anywhere in the HTML);
        // the test's value is kept encrypted for the save, so it need not be typed again.
        await Assertions.Expect(page.GetByLabel("Passwort", new() { Exact = true })).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#Form_Password-hint")).ToContainTextAsync("Aus dem Verbindungstest übernommen");
        Assert.DoesNotContain(Password, await page.ContentAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Speichern" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/mailboxes/mbx-", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("main h1")).ToHaveTextAsync("Alarm-Postfach");
        return page.Url[(page.Url.LastIndexOf('/') + 1)..];
    }

    private async Task<string> CreateMailboxThroughApiAsync(string tenant, string user, string password = Password, string displayName = "Alarm-Postfach")
    {
        var created = await console.Operator.PostAsJsonAsync($"/api/tenants/{tenant}/mailboxes", new
        {
            displayName, host = console.Imap.Host, port = console.Imap.ImapPort, security = "None", username = user, password, pollIntervalSeconds = 10,
        });
        created.EnsureSuccessStatusCode();
        return (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!;
    }

    private Task WaitForIdleSessionAsync(string tenant, string mailboxId) =>
        Infrastructure.Eventually.WaitForAsync(
            () => console.Operator.GetFromJsonAsync<JsonNode>($"/api/tenants/{tenant}/mailboxes/{mailboxId}"),
            mailbox => (bool?)mailbox?["status"]?["idleActive"] == true,
            TimeSpan.FromSeconds(60),
            "the new mailbox's IDLE session");

    private static IFormData FormOf(IAPIRequestContext request, Dictionary<string, string> fields)
    {
        var form = request.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return form;
    }

    private static string NewTenantId() => "ff-" + Guid.NewGuid().ToString("N")[..10];
}
