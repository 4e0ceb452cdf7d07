using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AlarmInbox.Bench;

/// <summary>
/// The real silo and API processes (Release builds) on free loopback ports with a data folder of their own, for the
/// scale benchmarks: tenants of <see cref="MailboxesPerTenant"/> mailboxes, registration with bounded concurrency, and
/// the silo's Prometheus counters.
/// </summary>
public sealed class AlarmInboxHost : IAsyncDisposable
{
    /// <summary>Mailboxes per tenant: a realistic organisation size.</summary>
    public const int MailboxesPerTenant = 50;

    private readonly string _data;
    private readonly HttpClient _siloHttp = new() { Timeout = TimeSpan.FromSeconds(30) };
    private Process? _silo;
    private Process? _api;

    private AlarmInboxHost(string data) => _data = data;

    /// <summary>The API client, authorised with the operator key.</summary>
    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The silo process id.</summary>
    public int SiloPid => _silo!.Id;

    /// <summary>The API process id.</summary>
    public int ApiPid => _api!.Id;

    /// <summary>
    /// Starts silo and API and waits until the API answers. <paramref name="siloArgs"/> are passed to the silo as they
    /// are (configuration keys such as <c>--AlarmInbox:Polling:KeepSessions=false</c>; unknown keys are ignored).
    /// </summary>
    public static async Task<AlarmInboxHost> StartAsync(string root, string data, IEnumerable<string> siloArgs, CancellationToken cancellationToken)
    {
        var host = new AlarmInboxHost(data);
        try
        {
            await host.StartProcessesAsync(root, siloArgs, cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>The tenant id of mailbox number <paramref name="index"/>.</summary>
    public static string Tenant(int index) => $"load-t{(index / MailboxesPerTenant).ToString("0000", CultureInfo.InvariantCulture)}";

    /// <summary>Creates the tenants and registers one mailbox per user 0 … <paramref name="count"/> − 1, <paramref name="concurrency"/> at a time.</summary>
    /// <returns>Mailbox ids by index.</returns>
    public async Task<string[]> RegisterAsync(int count, int imapPort, int pollIntervalSeconds, int concurrency, CancellationToken cancellationToken)
    {
        for (var t = 0; t < count; t += MailboxesPerTenant)
        {
            var response = await Http.PostAsJsonAsync("/api/tenants", new { id = Tenant(t), name = "Load " + Tenant(t) }, cancellationToken);
            response.EnsureSuccessStatusCode();
        }

        // A tenant grain creates its mailboxes one at a time: take the first mailbox of every tenant, then the second, …
        // so that concurrent requests go to different tenants.
        var order = Enumerable.Range(0, count).OrderBy(i => i % MailboxesPerTenant).ThenBy(i => i / MailboxesPerTenant);
        var ids = new string[count];
        await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var user = LoadDovecot.User(i);
                var response = await Http.PostAsJsonAsync($"/api/tenants/{Tenant(i)}/mailboxes", new
                {
                    displayName = user,
                    host = "127.0.0.1",
                    port = imapPort,
                    security = "None",
                    username = user,
                    password = LoadDovecot.Password,
                    pollIntervalSeconds,
                    useIdle = false,
                }, token);
                response.EnsureSuccessStatusCode();
                ids[i] = (string)(await response.Content.ReadFromJsonAsync<JsonObject>(token))!["id"]!;
            });
        return ids;
    }

    /// <summary>Polls mailbox <paramref name="index"/> now through the API.</summary>
    /// <returns>Whether the poll succeeded.</returns>
    public async Task<bool> PollAsync(int index, string id, CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsync($"/api/tenants/{Tenant(index)}/mailboxes/{id}/poll", null, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (bool?)(await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["succeeded"] == true;
    }

    /// <summary>Subject → fetchedAt of the newest <paramref name="limit"/> stored messages of a mailbox.</summary>
    public async Task<Dictionary<string, DateTimeOffset>> FetchedAtAsync(int index, string id, int limit, CancellationToken cancellationToken)
    {
        var messages = await Http.GetFromJsonAsync<JsonArray>($"/api/tenants/{Tenant(index)}/mailboxes/{id}/messages?limit={limit}", cancellationToken);
        var result = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var m in messages!)
        {
            result[(string)m!["subject"]!] = DateTimeOffset.Parse((string)m["fetchedAt"]!, CultureInfo.InvariantCulture);
        }

        return result;
    }

    /// <summary>
    /// The silo's poll counter <c>alarminbox.mailbox.polls</c> (Prometheus: <c>alarminbox_mailbox_polls_total</c>) by
    /// outcome label, read from its <c>/metrics</c>.
    /// </summary>
    public async Task<(double Success, double Error)> PollCountersAsync(CancellationToken cancellationToken)
    {
        var text = await _siloHttp.GetStringAsync("/metrics", cancellationToken);
        double success = 0, error = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("alarminbox_mailbox_polls_total", StringComparison.Ordinal))
            {
                continue;
            }

            // name{labels} value [timestamp]
            var afterLabels = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ');
            var value = double.Parse(afterLabels[0], CultureInfo.InvariantCulture);
            if (line.Contains("outcome=\"error\"", StringComparison.Ordinal))
            {
                error += value;
            }
            else
            {
                success += value;
            }
        }

        return (success, error);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _api, _silo })
        {
            try
            {
                if (process is { HasExited: false })
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
                // never started or already gone
            }

            process?.Dispose();
        }

        Http.Dispose();
        _siloHttp.Dispose();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private async Task StartProcessesAsync(string root, IEnumerable<string> siloArgs, CancellationToken cancellationToken)
    {
        var gateway = BenchEnvironment.FreePort();
        var apiPort = BenchEnvironment.FreePort();
        var siloHttpPort = BenchEnvironment.FreePort();
        var silo = Path.Combine(root, "src", "Silo", "bin", "Release", "net10.0");
        var api = Path.Combine(root, "src", "Api", "bin", "Release", "net10.0");
        _silo = BenchEnvironment.StartDotnet(Path.Combine(silo, "AlarmInbox.Silo.dll"), silo,
        [
            $"--urls=http://127.0.0.1:{siloHttpPort}", $"--AlarmInbox:Storage:DataDirectory={_data}",
            $"--AlarmInbox:Silo:SiloPort={BenchEnvironment.FreePort()}", $"--AlarmInbox:Silo:GatewayPort={gateway}",
            "--AlarmInbox:Smtp:Enabled=false", "--AlarmInbox:Egress:AllowLoopback=true", "--Logging:LogLevel:Default=Warning", .. siloArgs,
        ]);
        var operatorKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _api = BenchEnvironment.StartDotnet(Path.Combine(api, "AlarmInbox.Api.dll"), api,
            $"--urls=http://127.0.0.1:{apiPort}", $"--AlarmInbox:Cluster:GatewayPort={gateway}", "--Logging:LogLevel:Default=Warning",
            $"--AlarmInbox:Api:BootstrapOperatorKey={operatorKey}", "--AlarmInbox:Api:RateLimitPermits=100000000");
        _siloHttp.BaseAddress = new Uri($"http://127.0.0.1:{siloHttpPort}");
        Http.BaseAddress = new Uri($"http://127.0.0.1:{apiPort}");
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorKey);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_silo.HasExited || _api.HasExited)
            {
                throw new InvalidOperationException("The silo or the API exited during start-up (see the output above).");
            }

            try
            {
                if ((await Http.GetAsync("/api/tenants", cancellationToken)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException("The API did not answer within 90 s.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
