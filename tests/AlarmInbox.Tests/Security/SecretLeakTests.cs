using System.Text;
using System.Text.Json.Nodes;
using AlarmInbox.Tests.Api;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Security;

/// <summary>Distinctive secrets of a full scenario appear in no log line, no API response (but the one that creates a key) and no stored file.</summary>
[Collection(SecurityCollection.Name)]
public sealed class SecretLeakTests(SecurityFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task SecretsOfAFullScenarioAppearInNoLogLineNoResponseAndNoStoredFile()
    {
        var f = fixture;
        var admin = new ApiTestClient(f.Api.CreateClient(f.KeyA));
        foreach (var client in new[] { f.Operator, admin })
        {
            await client.GetAsync($"/api/tenants/{f.TenantA}");
            await client.GetAsync($"/api/tenants/{f.TenantA}/mailboxes");
            await client.GetAsync($"/api/tenants/{f.TenantA}/mailboxes/{f.MailboxA}");
            await client.GetAsync($"/api/tenants/{f.TenantA}/mailboxes/{f.MailboxA}/messages");
            await client.GetAsync($"/api/tenants/{f.TenantA}/webhooks");
            await client.GetAsync($"/api/tenants/{f.TenantA}/webhooks/{f.WebhookA}");
            await client.GetAsync($"/api/tenants/{f.TenantA}/alarms/{f.AlarmA}");
            await client.SendAsync(HttpMethod.Post, $"/api/tenants/{f.TenantA}/mailboxes/{f.MailboxA}/test");
            await client.PutAsync($"/api/tenants/{f.TenantA}/mailboxes/{f.MailboxA}", new
            {
                displayName = "Alarm", host = f.Imap.Host, port = f.Imap.ImapPort, security = "None",
                username = (string)(await client.GetAsync($"/api/tenants/{f.TenantA}/mailboxes/{f.MailboxA}")).Body!["username"]!,
                useIdle = false, pollIntervalSeconds = 3600,
            });
        }

        await f.Operator.GetAsync("/api/keys");
        await f.Operator.GetAsync("/api/audit?limit=2000");
        await f.Operator.GetAsync("/api/tenants");
        var rejected = await f.Operator.PostAsync($"/api/tenants/{f.TenantB}/webhooks", new { name = "x", url = "ftp://x", secret = SecurityFixture.WebhookSecretB });

        var logLines = f.Logs.Lines.ToList();
        var bodies = f.Operator.Bodies.Concat(admin.Bodies).ToList();
        var files = Directory.EnumerateFiles(f.Silo.DataDirectory, "*", SearchOption.AllDirectories).Select(path => (path, ReadShared(path))).ToList();
        var leaks = new List<string>();
        foreach (var secret in f.Secrets)
        {
            leaks.AddRange(logLines.Where(l => l.Contains(secret, StringComparison.Ordinal)).Select(l => $"log: {Cut(l)}"));
            leaks.AddRange(bodies.Where(b => b.Contains(secret, StringComparison.Ordinal) && !IsKeyCreation(b, secret)).Select(b => $"response: {Cut(b)}"));
            foreach (var (path, bytes) in files)
            {
                if (Contains(bytes, Encoding.UTF8.GetBytes(secret)) || Contains(bytes, Encoding.Unicode.GetBytes(secret))
                    || Contains(bytes, Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)))))
                {
                    leaks.Add($"file: {path}");
                }
            }
        }

        output.WriteLine($"{f.Secrets.Count} secrets searched in {logLines.Count} log lines, {bodies.Count} responses, {files.Count} files ({files.Sum(x => x.Item2.Length)} bytes)");
        Assert.Equal(400, rejected.Status);
        Assert.True(logLines.Count > 100, $"only {logLines.Count} log lines captured");
        Assert.Contains(files, x => x.path.EndsWith(".db", StringComparison.Ordinal));
        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks.Distinct()));
    }

    // The one response allowed to carry an API key: the one that created it, in its "key" member.
    private static bool IsKeyCreation(string body, string secret) =>
        body.StartsWith('{') && JsonNode.Parse(body) is JsonObject o && o["apiKey"] is not null && (string?)o["key"] == secret
        && !body.Replace(secret, "", StringComparison.Ordinal).Contains(secret[^20..], StringComparison.Ordinal);

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
