using System.Text;
using AlarmInbox.Tests.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Security;

/// <summary>Every mapped endpoint, tried with every kind of caller: the role rule holds everywhere and nothing answers 500.</summary>
[Collection(SecurityCollection.Name)]
public sealed class EndpointMatrixTests(SecurityFixture fixture, ITestOutputHelper output)
{
    private const string TenantRoute = "/api/tenants/{tenantId}";

    [Fact]
    public async Task EveryEndpointEnforcesItsRoleForEveryCaller()
    {
        var endpoints = MappedEndpoints();
        var own = await CreateOwnTenantAsync();
        var wrongKey = "aik_0123456789ab_" + new string('x', 43);
        var callers = new (string Name, string? Key, Ids Target)[]
        {
            ("no key", null, fixture.Ids),
            ("wrong key", wrongKey, fixture.Ids),
            ("revoked key", fixture.RevokedKey, fixture.Ids),
            ("tenant admin A on tenant B", fixture.KeyA, fixture.IdsB),
            ("tenant admin on its own tenant", own.Key, own.Ids),
            ("operator", Infrastructure.ApiFactory.OperatorKey, own.Ids),
        };
        var failures = new List<string>();
        var tried = 0;

        foreach (var (name, key, target) in callers)
        {
            using var http = fixture.Api.CreateClient(key);
            foreach (var endpoint in endpoints)
            {
                var (status, mediaType) = await SendAsync(http, endpoint, target);
                tried++;
                var expected = Expected(name, endpoint);
                if (status == 500 || !expected.Accepts(status) || (status is 401 or 403 or 404 && expected.NeedsProblem && mediaType != "application/problem+json"))
                {
                    failures.Add($"{name}: {endpoint.Method} {endpoint.Pattern} -> {status} {mediaType}; expected {expected.Description}");
                }
            }
        }

        output.WriteLine($"{endpoints.Count} endpoints x {callers.Length} callers = {tried} requests");
        Assert.True(endpoints.Count >= 30, $"only {endpoints.Count} endpoints found");
        Assert.Equal(endpoints.Count * callers.Length, tried);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static Expectation Expected(string caller, MappedEndpoint endpoint)
    {
        if (caller == "operator" && endpoint.Pattern == "/dashboard/Trace")
        {
            // The dashboard's live log stream is switched off (HideTrace): the dashboard itself answers 403.
            return new(s => s == 403, "403 (trace switched off)", false);
        }

        if (endpoint.Anonymous)
        {
            return new(s => s is not (401 or 403), "open (no 401/403)", false);
        }

        if (endpoint.Pattern == "/api/me" && caller is not ("no key" or "wrong key" or "revoked key"))
        {
            // Who am I: every valid key may ask, a tenant admin's too.
            return new(s => s == 200, "200", false);
        }

        var tenantScoped = endpoint.Pattern.StartsWith(TenantRoute + "/", StringComparison.Ordinal) || (endpoint.Pattern == TenantRoute && endpoint.Method == "GET");
        return caller switch
        {
            "no key" or "wrong key" or "revoked key" => new(s => s == 401, "401", true),
            "tenant admin A on tenant B" => tenantScoped ? new(s => s == 404, "404 (no leak)", true) : new(s => s == 403, "403", true),
            "tenant admin on its own tenant" => tenantScoped ? new(s => s is not (401 or 403), "allowed", false) : new(s => s == 403, "403", true),
            _ => new(s => s is not (401 or 403), "allowed", false),
        };
    }

    private static async Task<(int Status, string? MediaType)> SendAsync(HttpClient http, MappedEndpoint endpoint, Ids ids)
    {
        var path = endpoint.Pattern
            .Replace("{tenantId}", ids.Tenant, StringComparison.Ordinal)
            .Replace("{mailboxId}", ids.Mailbox, StringComparison.Ordinal)
            .Replace("{webhookId}", ids.Webhook, StringComparison.Ordinal)
            .Replace("{alarmId}", ids.Alarm, StringComparison.Ordinal)
            .Replace("{keyId}", "000000000000", StringComparison.Ordinal);
        path = System.Text.RegularExpressions.Regex.Replace(path, @"\{\*{1,2}[^}]+\}", "index.html");
        path = System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}:]+:int\}", "1");
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), path);
        if (endpoint.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = endpoint.ContentType == "application/json"
                ? new StringContent("{}", Encoding.UTF8, "application/json")
                : new StringContent("Einsatz B3", Encoding.UTF8, endpoint.ContentType);
        }

        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType);
    }

    private List<MappedEndpoint> MappedEndpoints()
    {
        using var warm = fixture.Api.CreateClient();
        var source = fixture.Api.Services.GetRequiredService<EndpointDataSource>();
        // The console's pages and feed answer browsers (sign-in redirects, HTML 404s); ConsoleBrowserTests cover them.
        var endpoints = source.Endpoints.OfType<RouteEndpoint>()
            .Where(e => !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == AlarmInbox.Api.Console.ConsoleAuth.Policy))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new MappedEndpoint(
                method, e.RoutePattern.RawText!.TrimEnd('/') is { Length: > 0 } p ? (p.StartsWith('/') ? p : "/" + p) : "/",
                e.Metadata.GetMetadata<IAllowAnonymous>() is not null,
                e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.FirstOrDefault() ?? "application/json")))
            .Distinct()
            .ToList();

        // Deletions last, so that a caller that may delete does not take away what the others probe.
        return [.. endpoints.OrderBy(e => e.Method == "DELETE").ThenBy(e => e.Pattern, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal)];
    }

    private async Task<(string Key, Ids Ids)> CreateOwnTenantAsync()
    {
        var tenant = "ff-c-" + Guid.NewGuid().ToString("N")[..8];
        var api = fixture.Operator;
        await api.PostAsync("/api/tenants", new { id = tenant, name = "Feuerwehr C" });
        var user = await fixture.Imap.CreateUserAsync("PW-Matrix-C-geheim");
        var mailbox = await api.PostAsync($"/api/tenants/{tenant}/mailboxes", new
        {
            displayName = "Alarm", host = fixture.Imap.Host, port = fixture.Imap.ImapPort, security = "None", username = user, password = "PW-Matrix-C-geheim", useIdle = false, pollIntervalSeconds = 3600,
        });
        var webhook = await api.PostAsync($"/api/tenants/{tenant}/webhooks", new { name = "C", url = "https://hooks.c.example/x", secret = "WH-Matrix-C-0123456789" });
        var key = await api.PostAsync("/api/keys", new { name = "Admin C", role = "TenantAdmin", tenantId = tenant });
        Assert.Equal([201, 201, 201], new[] { mailbox.Status, webhook.Status, key.Status });
        return ((string)key.Body!["key"]!, new Ids(tenant, (string)mailbox.Body!["id"]!, (string)webhook.Body!["id"]!, "alm-none"));
    }

    private sealed record MappedEndpoint(string Method, string Pattern, bool Anonymous, string ContentType);

    private sealed record Expectation(Func<int, bool> Accepts, string Description, bool NeedsProblem);
}

/// <summary>The resource ids an endpoint is probed with.</summary>
/// <param name="Tenant">The tenant id.</param>
/// <param name="Mailbox">A mailbox id of that tenant.</param>
/// <param name="Webhook">A webhook id of that tenant.</param>
/// <param name="Alarm">An alarm id.</param>
public sealed record Ids(string Tenant, string Mailbox, string Webhook, string Alarm);
