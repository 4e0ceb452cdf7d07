using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Security;

/// <summary>Rate limiting per API key: 429 ProblemDetails with Retry-After, counted per key.</summary>
[Collection(SecurityCollection.Name)]
public sealed class RateLimitTests(SecurityFixture fixture)
{
    [Fact]
    public async Task KeyOverItsLimitGets429WithRetryAfterWhileAnotherKeyIsStillServed()
    {
        await using var api = new ApiFactory(fixture.Silo.GatewayPort, new Dictionary<string, string>
        {
            ["AlarmInbox:Api:RateLimitPermits"] = "3",
            ["AlarmInbox:Api:RateLimitWindow"] = "00:10:00",
        });
        using var admin = api.CreateClient(fixture.KeyA);
        using var other = api.CreateClient(fixture.KeyB);
        var path = $"/api/tenants/{fixture.TenantA}/webhooks";

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await admin.GetAsync(path);
            statuses.Add((int)ok.StatusCode);
        }

        using var limited = await admin.GetAsync(path);
        using var otherKey = await other.GetAsync($"/api/tenants/{fixture.TenantB}/webhooks");

        Assert.Equal([200, 200, 200], statuses);
        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 600);
        Assert.Equal(200, (int)otherKey.StatusCode);
    }

    [Fact]
    public async Task BodyOverTheConfiguredLimitIsRefusedWith413Problem()
    {
        await using var api = new ApiFactory(fixture.Silo.GatewayPort, new Dictionary<string, string> { ["AlarmInbox:Api:MaxRequestBodyBytes"] = "2048" });
        using var http = api.CreateClient();
        using var content = new StringContent("{\"id\":\"ff-gross\",\"name\":\"" + new string('A', 3000) + "\"}", System.Text.Encoding.UTF8, "application/json");

        using var response = await http.PostAsync("/api/tenants", content);
        using var exists = await http.GetAsync("/api/tenants/ff-gross");

        Assert.Equal(413, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, (int)exists.StatusCode);
    }
}
