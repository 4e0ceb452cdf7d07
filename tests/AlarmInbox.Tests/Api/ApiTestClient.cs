using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlarmInbox.Tests.Api;

/// <summary>Small helpers over <see cref="HttpClient"/> that keep every response body for later checks.</summary>
public sealed class ApiTestClient(HttpClient http)
{
    /// <summary>Every response body seen so far.</summary>
    public List<string> Bodies { get; } = [];

    /// <summary>Sends a request with a raw JSON body (or none) and returns status, content type and parsed body.</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        lock (Bodies)
        {
            // Tests fire requests concurrently through one client.
            Bodies.Add(body);
        }

        var node = body.Length == 0 ? null : JsonNode.Parse(body);
        return new ApiResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, node, response.Headers.Location?.ToString());
    }

    /// <summary>POST with an object serialised as JSON (camelCase).</summary>
    public Task<ApiResponse> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body, JsonSerializerOptions.Web));

    /// <summary>PUT with an object serialised as JSON (camelCase).</summary>
    public Task<ApiResponse> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, JsonSerializer.Serialize(body, JsonSerializerOptions.Web));

    /// <summary>GET.</summary>
    public Task<ApiResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
}

/// <summary>A response: status, media type, parsed JSON body, Location header.</summary>
public sealed record ApiResponse(int Status, string? MediaType, JsonNode? Body, string? Location)
{
    /// <summary>The field names of a validation problem's <c>errors</c>.</summary>
    public IReadOnlyList<string> ErrorFields => Body?["errors"]?.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList() ?? [];

    /// <inheritdoc />
    public override string ToString() => $"{Status} {MediaType} {Body?.ToJsonString()}";
}
