using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace AlarmInbox.Bench;

/// <summary>A Dovecot (scripts/dev-imap.sh), a silo process and an API process on free loopback ports, in a temporary folder.</summary>
public sealed class BenchEnvironment : IAsyncDisposable
{
    private const string Password = "geheim";
    private readonly string _work;
    private readonly Dictionary<string, string> _imapEnv;
    private readonly int _imapPort;
    private Process? _silo;
    private Process? _api;
    private int _users;

    private BenchEnvironment(string root, string work, int imapPort, int imapsPort)
    {
        Root = root;
        _work = work;
        _imapPort = imapPort;
        _imapEnv = new()
        {
            ["ALARMINBOX_IMAP_DIR"] = Path.Combine(work, "imap"),
            ["ALARMINBOX_IMAP_PORT"] = imapPort.ToString(CultureInfo.InvariantCulture),
            ["ALARMINBOX_IMAPS_PORT"] = imapsPort.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The repository root.</summary>
    public string Root { get; }

    /// <summary>The API client.</summary>
    public HttpClient Http { get; } = new();

    /// <summary>Starts everything; the silo and API must have been built in Release.</summary>
    public static async Task<BenchEnvironment> StartAsync(BenchOptions options)
    {
        var root = FindRoot();
        var work = Directory.CreateTempSubdirectory("ai-bench-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // Dovecot runs mail processes as nobody; they must be able to enter the folder.
            File.SetUnixFileMode(work, (UnixFileMode)Convert.ToInt32("755", 8));
        }
        var env = new BenchEnvironment(root, work, FreePort(), FreePort());
        await env.RunScriptAsync("start");
        var gateway = FreePort();
        var apiPort = FreePort();
        var silo = Path.Combine(root, "src", "Silo", "bin", "Release", "net10.0");
        var api = Path.Combine(root, "src", "Api", "bin", "Release", "net10.0");
        env._silo = StartDotnet(Path.Combine(silo, "AlarmInbox.Silo.dll"), silo,
            $"--AlarmInbox:Storage:DataDirectory={Path.Combine(work, "data")}", $"--AlarmInbox:Silo:SiloPort={FreePort()}",
            $"--AlarmInbox:Silo:GatewayPort={gateway}", "--AlarmInbox:Egress:AllowLoopback=true", "--Logging:LogLevel:Default=Warning");
        var operatorKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        env._api = StartDotnet(Path.Combine(api, "AlarmInbox.Api.dll"), api,
            $"--urls=http://127.0.0.1:{apiPort}", $"--AlarmInbox:Cluster:GatewayPort={gateway}", "--Logging:LogLevel:Default=Warning",
            $"--AlarmInbox:Api:BootstrapOperatorKey={operatorKey}", "--AlarmInbox:Api:RateLimitPermits=100000000");
        env.Http.BaseAddress = new Uri($"http://127.0.0.1:{apiPort}");
        env.Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", operatorKey);
        await env.WaitAsync(async () =>
        {
            try
            {
                return (await env.Http.GetAsync("/api/tenants")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90));
        var tenant = await env.Http.PostAsJsonAsync("/api/tenants", new { id = "bench", name = "Benchmark" });
        tenant.EnsureSuccessStatusCode();
        return env;
    }

    /// <summary>Creates a Dovecot user.</summary>
    public async Task<string> CreateUserAsync(string prefix)
    {
        var user = $"{prefix}-{Interlocked.Increment(ref _users)}@bench.example";
        await RunScriptAsync("add-user", user, Password);
        return user;
    }

    /// <summary>Creates a mailbox through the API; returns its id.</summary>
    public async Task<string> CreateMailboxAsync(string user, bool useIdle, int pollIntervalSeconds)
    {
        var response = await Http.PostAsJsonAsync("/api/tenants/bench/mailboxes", new
        {
            displayName = user,
            host = "127.0.0.1",
            port = _imapPort,
            security = "None",
            username = user,
            password = Password,
            pollIntervalSeconds,
            useIdle,
        });
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    /// <summary>Switches IDLE on or off for a mailbox (PUT with its current settings).</summary>
    public async Task SetIdleAsync(string mailboxId, bool useIdle)
    {
        var current = await GetMailboxAsync(mailboxId);
        var response = await Http.PutAsJsonAsync($"/api/tenants/bench/mailboxes/{mailboxId}", new
        {
            displayName = (string)current["displayName"]!,
            host = (string)current["host"]!,
            port = (int)current["port"]!,
            security = (string)current["security"]!,
            username = (string)current["username"]!,
            pollIntervalSeconds = (int)current["pollIntervalSeconds"]!,
            useIdle,
        });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>GET a mailbox.</summary>
    public async Task<JsonObject> GetMailboxAsync(string mailboxId) =>
        (await Http.GetFromJsonAsync<JsonObject>($"/api/tenants/bench/mailboxes/{mailboxId}"))!;

    /// <summary>How many mailboxes of the tenant have an IDLE session open.</summary>
    public async Task<int> CountIdleActiveAsync() =>
        (await Http.GetFromJsonAsync<JsonArray>("/api/tenants/bench/mailboxes"))!.Count(m => (bool)m!["status"]!["idleActive"]!);

    /// <summary>The subject of the newest stored message, or null.</summary>
    public async Task<string?> NewestSubjectAsync(string mailboxId) => (await SubjectsAsync(mailboxId, 1)).FirstOrDefault();

    /// <summary>The subjects of the newest stored messages.</summary>
    public async Task<IReadOnlyList<string>> SubjectsAsync(string mailboxId, int limit) =>
        (await Http.GetFromJsonAsync<JsonArray>($"/api/tenants/bench/mailboxes/{mailboxId}/messages?limit={limit}"))!
            .Select(m => (string)m!["subject"]!).ToList();

    /// <summary>Opens a kept IMAP connection that appends mails to a user's INBOX.</summary>
    public async Task<Appender> OpenAppenderAsync(string user)
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", _imapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, Password);
        return new Appender(client);
    }

    /// <summary>Appends one mail on a connection of its own.</summary>
    public async Task AppendOnceAsync(string user, string subject)
    {
        await using var appender = await OpenAppenderAsync(user);
        await appender.AppendAsync(subject);
    }

    /// <summary>Measures the silo process's CPU time and resident memory over <paramref name="window"/>.</summary>
    public async Task<SiloSample> MeasureSiloAsync(TimeSpan window)
    {
        var pid = _silo!.Id;
        var cpuBefore = ProcFs.CpuSeconds(pid);
        var watch = Stopwatch.StartNew();
        await Task.Delay(window);
        var cpu = ProcFs.CpuSeconds(pid) - cpuBefore;
        return new SiloSample(cpu / watch.Elapsed.TotalHours, ProcFs.RssKiB(pid) / 1024.0);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds.</summary>
    /// <exception cref="TimeoutException">It did not hold in time.</exception>
    public async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? pollEvery = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Condition not met within {timeout}.");
            }

            await Task.Delay(pollEvery ?? TimeSpan.FromMilliseconds(100));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _api, _silo })
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        await RunScriptAsync("stop");
        Directory.Delete(_work, recursive: true);
        Http.Dispose();
    }

    /// <summary>Starts <c>dotnet &lt;dll&gt;</c> with its stderr copied to ours.</summary>
    internal static Process StartDotnet(string dll, string contentRoot, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--contentRoot");
        info.ArgumentList.Add(contentRoot);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + dll);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task RunScriptAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(Root, "scripts", "dev-imap.sh")) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in _imapEnv)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dev-imap.sh {string.Join(' ', args)} failed with {process.ExitCode}.");
        }
    }

    /// <summary>A TCP port on loopback that was free a moment ago.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The repository root (the folder with Orleans.sln) above the running assembly.</summary>
    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.sln not found.");
    }

    /// <summary>A kept IMAP connection for appending.</summary>
    public sealed class Appender(ImapClient client) : IAsyncDisposable
    {
        /// <summary>Appends a small alarm mail with the given subject to INBOX.</summary>
        public async Task AppendAsync(string subject)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("ILS Bench", "alarmierung@ils-bench.example"));
            message.To.Add(new MailboxAddress("", "alarm@bench.example"));
            message.Subject = subject;
            message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("ils-bench.example");
            message.Date = DateTimeOffset.UtcNow;
            message.Body = new TextPart("plain") { Text = "Einsatznummer: 2026-999999\nStichwort: " + subject };
            await client.Inbox.AppendAsync(new AppendRequest(message, MessageFlags.None));
        }

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            await client.DisconnectAsync(true);
            client.Dispose();
        }
    }
}

/// <summary>Silo CPU (seconds per hour) and resident memory (MiB) over a window.</summary>
public sealed record SiloSample(double CpuSecondsPerHour, double RssMiB);
