using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AlarmInbox.Api.Console;

/// <summary>
/// The console's client of the REST API: every call goes through the API's own pipeline with the signed-in API key
/// (see <see cref="InProcessApiHandler"/>), so the console can do nothing the key could not do with curl.
/// </summary>
public sealed class ConsoleApiClient(HttpClient http)
{
    /// <summary>The JSON settings of the API (camelCase, enums as names).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
    };

    /// <summary>GET <paramref name="path"/> and read the answer as <typeparamref name="T"/>.</summary>
    public Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Get, path, content: null, cancellationToken);

    /// <summary>Send <paramref name="body"/> (JSON, or none) with <paramref name="method"/> to <paramref name="path"/>.</summary>
    public Task<ApiResult<T>> SendJsonAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken = default) =>
        SendAsync<T>(method, path, body is null ? null : JsonContent.Create(body, body.GetType(), options: Json), cancellationToken);

    /// <summary>Send raw content (a mail for the rule tester, say).</summary>
    public async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var value = text.Length == 0 ? default : JsonSerializer.Deserialize<T>(text, Json);
            return new ApiResult<T>(status, value, null);
        }

        return new ApiResult<T>(status, default, ApiProblem.Parse(status, text));
    }
}

/// <summary>An API answer: the status, the value when it succeeded, the problem when not.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Value">The body of a 2xx answer, or default.</param>
/// <param name="Problem">The ProblemDetails of a failed answer, or null.</param>
public sealed record ApiResult<T>(int Status, T? Value, ApiProblem? Problem)
{
    /// <summary>Whether the status is 2xx.</summary>
    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>An RFC 7807 problem as the API sends it.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Title">Short summary.</param>
/// <param name="Detail">What happened.</param>
/// <param name="Field">The field it is about (the API's <c>field</c> member), or null.</param>
/// <param name="Errors">Field → messages of a validation problem.</param>
public sealed record ApiProblem(int Status, string? Title, string? Detail, string? Field, IReadOnlyDictionary<string, string[]> Errors)
{
    internal static ApiProblem Parse(int status, string text)
    {
        JsonNode? node = null;
        try
        {
            node = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            // Not JSON (a plain status page): status only.
        }

        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        if (node?["errors"] is JsonObject map)
        {
            foreach (var (field, messages) in map)
            {
                errors[field] = messages is JsonArray list ? list.Select(m => m?.ToString() ?? "").ToArray() : [messages?.ToString() ?? ""];
            }
        }

        return new ApiProblem(status, node?["title"]?.ToString(), node?["detail"]?.ToString(), node?["field"]?.ToString(), errors);
    }
}
