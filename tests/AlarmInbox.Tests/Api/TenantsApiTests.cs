using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Api;

[Collection(ClusterCollection.Name)]
public sealed class TenantsApiTests(ClusterFixture cluster)
{
    private readonly ApiTestClient _api = new(cluster.Api.CreateClient());

    [Fact]
    public async Task TenantCanBeCreatedReadAndDeleted()
    {
        var id = "ff-" + Guid.NewGuid().ToString("N")[..10];

        var created = await _api.PostAsync("/api/tenants", new { id, name = "Freiwillige Feuerwehr Musterdorf" });
        var read = await _api.GetAsync($"/api/tenants/{id}");
        var listed = await _api.GetAsync("/api/tenants");
        var deleted = await _api.SendAsync(HttpMethod.Delete, $"/api/tenants/{id}");
        var gone = await _api.GetAsync($"/api/tenants/{id}");

        Assert.Equal(201, created.Status);
        Assert.Equal($"/api/tenants/{id}", created.Location);
        Assert.Equal(id, (string?)created.Body!["id"]);
        Assert.Equal(200, read.Status);
        Assert.Equal("Freiwillige Feuerwehr Musterdorf", (string?)read.Body!["name"]);
        Assert.Empty(read.Body["mailboxIds"]!.AsArray());
        Assert.Contains(id, listed.Body!["tenantIds"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(204, deleted.Status);
        Assert.Equal(404, gone.Status);
        Assert.Equal("application/problem+json", gone.MediaType);
        Assert.Equal("tenantId", (string?)gone.Body!["field"]);
    }

    [Fact]
    public async Task DuplicateTenantIsRefusedWithConflict()
    {
        var id = "ff-" + Guid.NewGuid().ToString("N")[..10];
        await _api.PostAsync("/api/tenants", new { id, name = "Erste" });

        var again = await _api.PostAsync("/api/tenants", new { id, name = "Zweite" });
        var read = await _api.GetAsync($"/api/tenants/{id}");

        Assert.Equal(409, again.Status);
        Assert.Equal("application/problem+json", again.MediaType);
        Assert.Equal("id", (string?)again.Body!["field"]);
        Assert.Equal("Erste", (string?)read.Body!["name"]);
    }

    [Theory]
    [InlineData("""{"id": "Musterdorf", "name": "FF"}""", "id")]
    [InlineData("""{"id": "1ff", "name": "FF"}""", "id")]
    [InlineData("""{"id": "ff-ok", "name": ""}""", "name")]
    [InlineData("""{"name": "FF"}""", "id")]
    [InlineData("""{"id": 5, "name": "FF"}""", "id")]
    [InlineData("""{"id": "ff-ok", "name": "FF", "extra": 1}""", "extra")]
    [InlineData("""{"id": "ff-ok", """, "$")]
    [InlineData("""[]""", "$")]
    public async Task InvalidTenantIsRefusedNamingTheFieldAndNothingIsStored(string json, string field)
    {
        var response = await _api.SendAsync(HttpMethod.Post, "/api/tenants", json);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Contains(field, response.ErrorFields);
        Assert.Equal(404, (await _api.GetAsync("/api/tenants/ff-ok")).Status);
    }

    [Fact]
    public async Task CascadeMustBeTrueOrFalse()
    {
        var response = await _api.SendAsync(HttpMethod.Delete, "/api/tenants/ff-x?cascade=yes");

        Assert.Equal(400, response.Status);
        Assert.Equal(["cascade"], response.ErrorFields);
    }
}
