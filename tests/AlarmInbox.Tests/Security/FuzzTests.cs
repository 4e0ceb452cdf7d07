using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Security;

/// <summary>Malformed bodies to every JSON endpoint: always a 4xx, never a 500, and nothing changes.</summary>
[Collection(SecurityCollection.Name)]
public sealed class FuzzTests(SecurityFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task MalformedBodiesToEveryJsonEndpointAreRefusedWith4xxAndChangeNothing()
    {
        var endpoints = JsonEndpoints();
        var before = await SnapshotAsync();
        var failures = new List<string>();
        var fuzzed = 0;

        foreach (var (method, pattern) in endpoints)
        {
            var path = pattern.Replace("{tenantId}", fixture.TenantA, StringComparison.Ordinal)
                .Replace("{mailboxId}", fixture.MailboxA, StringComparison.Ordinal)
                .Replace("{webhookId}", fixture.WebhookA, StringComparison.Ordinal);
            foreach (var (name, body) in Inputs(SampleFor(method, pattern)))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                using var http = fixture.Api.CreateClient();
                using var response = await http.SendAsync(request);
                fuzzed++;
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                if (status is < 400 or >= 500 && !RefusedByConnectionTest(pattern, status, text))
                {
                    failures.Add($"{method} {pattern} [{name}] -> {status} {Cut(text)}");
                }
            }
        }

        var after = await SnapshotAsync();
        output.WriteLine($"{fuzzed} malformed bodies sent to {endpoints.Count} JSON endpoints");
        Assert.True(endpoints.Count >= 9, $"only {endpoints.Count} JSON endpoints found");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal(before, after);
    }

    private static IEnumerable<(string Name, byte[] Body)> Inputs(FuzzSample sample)
    {
        static byte[] U(string s) => Encoding.UTF8.GetBytes(s);
        yield return ("empty", []);
        yield return ("null", U("null"));
        yield return ("array", U("[]"));
        yield return ("array of object", U($"[{sample.Body.ToJsonString()}]"));
        yield return ("string", U("\"text\""));
        yield return ("number", U("42"));
        yield return ("bool", U("true"));
        yield return ("truncated", U(sample.Body.ToJsonString()[..^1]));
        yield return ("missing value", U("{\"a\":}"));
        yield return ("single quotes", U("{'name': 'x'}"));
        yield return ("trailing garbage", U(sample.Body.ToJsonString() + " xyz"));
        yield return ("unknown field", U(Set(sample.Body, "unknownField", 1).ToJsonString()));
        yield return ("deep arrays", U(new string('[', 100_000) + new string(']', 100_000)));
        yield return ("deep objects", U(string.Concat(Enumerable.Repeat("{\"x\":", 5_000)) + "1" + new string('}', 5_000)));
        yield return ("over the size limit", U("{\"name\":\"" + new string('A', 2_000_000) + "\"}"));
        var json = sample.Body.ToJsonString();
        var invalidUtf8 = U(json.Insert(json.IndexOf(':', StringComparison.Ordinal) + 2, "\u0001"));
        invalidUtf8[json.IndexOf(':', StringComparison.Ordinal) + 2] = 0xFF;
        yield return ("invalid UTF-8", invalidUtf8);
        yield return ("lone surrogate escape", U(json.Insert(json.IndexOf(':', StringComparison.Ordinal) + 2, "\\uD800")));

        foreach (var (field, value) in sample.Body)
        {
            if (value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                yield return ($"{field}: number", U(Set(sample.Body, field, 12345).ToJsonString()));
                yield return ($"{field}: huge string", U(Set(sample.Body, field, new string('x', 200_000)).ToJsonString()));
            }
            else
            {
                yield return ($"{field}: string", U(Set(sample.Body, field, "nicht-gueltig").ToJsonString()));
            }

            yield return ($"{field}: object", U(Set(sample.Body, field, new JsonObject { ["a"] = 1 }).ToJsonString()));
            yield return ($"{field}: array", U(Set(sample.Body, field, new JsonArray(1, 2)).ToJsonString()));
            yield return ($"{field}: float", U(Set(sample.Body, field, 1.5).ToJsonString()));
            if (sample.Required.Contains(field))
            {
                yield return ($"{field}: null", U(Set(sample.Body, field, null).ToJsonString()));
                var missing = (JsonObject)sample.Body.DeepClone();
                missing.Remove(field);
                yield return ($"{field}: missing", U(missing.ToJsonString()));
            }
        }
    }

    private static JsonObject Set(JsonObject body, string field, JsonNode? value)
    {
        var copy = (JsonObject)body.DeepClone();
        copy[field] = value;
        return copy;
    }

    // A valid body per endpoint, whose fields are then broken one by one; Required are the fields that may not be null or missing.
    private FuzzSample SampleFor(string method, string pattern)
    {
        var imap = fixture.Imap;
        return pattern switch
        {
            "/api/tenants" => new(new JsonObject { ["id"] = "ff-fuzz", ["name"] = "Fuzz" }, ["id", "name"]),
            "/api/keys" => new(new JsonObject { ["name"] = "Fuzz", ["role"] = "Operator" }, ["name", "role"]),
            _ when pattern.EndsWith("/webhooks", StringComparison.Ordinal) || pattern.EndsWith("{webhookId}", StringComparison.Ordinal) =>
                new(new JsonObject { ["name"] = "Fuzz", ["url"] = "https://fuzz.example/hook", ["secret"] = "Fuzz-Secret-0123456789" }, ["name", "url"]),
            _ when pattern.EndsWith("alarm-settings", StringComparison.Ordinal) => new(new JsonObject
            {
                ["enabled"] = true, ["allowedSenders"] = new JsonArray("ils.example"), ["keywordSource"] = "Subject", ["keywordLabel"] = "Stichwort",
                ["incidentMergeWindowMinutes"] = 30, ["lateAfterMinutes"] = 10,
            }, []),
            _ => new(new JsonObject
            {
                ["displayName"] = "Fuzz", ["host"] = imap.Host, ["port"] = imap.ImapPort, ["security"] = "None", ["username"] = "fuzz@ff-test.example",
                ["password"] = "Fuzz-Pw", ["pollIntervalSeconds"] = 3600, ["useIdle"] = false,
            }, method == "POST" ? ["host", "username", "password"] : ["host", "username"]),
        };
    }

    private List<(string Method, string Pattern)> JsonEndpoints()
    {
        using var warm = fixture.Api.CreateClient();
        return fixture.Api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/json") == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, e.RoutePattern.RawText!.TrimEnd('/'))))
            .Distinct().OrderBy(e => e.Item2, StringComparer.Ordinal).ToList();
    }

    private async Task<string> SnapshotAsync()
    {
        var api = fixture.Operator;
        var a = $"/api/tenants/{fixture.TenantA}";
        var mailbox = (await api.GetAsync($"{a}/mailboxes/{fixture.MailboxA}")).Body!.AsObject();
        mailbox.Remove("status");
        var parts = new[]
        {
            (await api.GetAsync("/api/tenants")).Body!.ToJsonString(),
            (await api.GetAsync(a)).Body!.ToJsonString(),
            mailbox.ToJsonString(),
            (await api.GetAsync($"{a}/webhooks")).Body!.ToJsonString(),
            (await api.GetAsync($"{a}/alarm-settings")).Body!.ToJsonString(),
            (await api.GetAsync($"{a}/mailboxes/{fixture.MailboxA}/alarm-settings")).Body!.ToJsonString(),
            (await api.GetAsync("/api/keys")).Body!.ToJsonString(),
        };
        return string.Join("\n", parts);
    }

    // The connection tester answers well-formed JSON with wrong values 200 with a failed "validate" step that names the
    // field (its documented contract, docs/api.md): nothing is stored or contacted, so that counts as refused.
    private static bool RefusedByConnectionTest(string pattern, int status, string body) =>
        status == 200 && pattern.EndsWith("/mailboxes/test", StringComparison.Ordinal)
        && JsonNode.Parse(body)?["steps"]?[0] is { } first && (string?)first["name"] == "validate" && (string?)first["outcome"] == "Failed";

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private sealed record FuzzSample(JsonObject Body, string[] Required);
}
