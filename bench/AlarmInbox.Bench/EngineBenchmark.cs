using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MailKit.Net.Smtp;
using MimeKit;

namespace AlarmInbox.Bench;

/// <summary>
/// <c>engine</c> (issue 15 item 7): the cost of one alarm mail as the tenant's history grows, and storm bursts.
/// Real silo and API processes (Release, embedded SQLite), SMTP inbound on loopback, a webhook receiver in this process.
/// <list type="number">
/// <item>Warm-up, not reported: a tenant of its own is filled with <c>--warmup</c> alarms (default 300), then gets its
/// webhook and rounds of <c>--warmup-mails</c> mails one at a time (default 100, at most 6 rounds) until a round's CPU per
/// mail is no longer 10 % below the round before, so that every measured row runs code that the runtime has already
/// compiled and tiered up as it ships (tiered compilation and dynamic PGO are left as they are).
/// Without it the first rows carried the JIT: 59 ms and 43 ms of CPU per mail at 0 and 100 stored alarms against
/// 7 ms at 1,000.</item>
/// <item>For each size N of <c>--alarms</c> (default 0,100,1000,10000): a tenant is filled with N alarms over SMTP (no
/// webhook yet), then gets a webhook, then <c>--mails</c> mails are sent one at a time: silo CPU per mail (minus the idle
/// rate measured right before), SMTP 250 → webhook received, and alarm evaluated (its <c>evaluatedAt</c>) → webhook received.</item>
/// <item>For each tenant count of <c>--burst-tenants</c> (default 1,20): <c>--burst</c> mails (default 2,000) spread
/// over the tenants, sent over 8 SMTP connections at once: time from the last 250 to the last webhook.</item>
/// </list>
/// </summary>
public static class EngineBenchmark
{
    private const string Sender = "alarmierung@ils-musterland.example";
    private const string Secret = "bench-secret-0123456789abcdef";

    /// <summary>The most warm-up rounds of <c>--warmup-mails</c> mails.</summary>
    private const int MaxWarmupRounds = 6;

    /// <summary>Runs the benchmark and prints the report; returns 0, or 2 when a webhook never arrived.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var line = new CommandLine(args);
        var sizes = line.IntList("--alarms", [0, 100, 1_000, 10_000]);
        var mails = line.Int("--mails", 40);
        var burst = line.Int("--burst", 2_000);
        var burstTenants = line.IntList("--burst-tenants", [1, 20]);
        var warmup = line.Int("--warmup", 300);
        var warmupMails = line.Int("--warmup-mails", 100);
        // --root runs the silo and API of another checkout (e.g. an older release, built in Release) for a comparison.
        var root = line.Value("--root") ?? BenchEnvironment.FindRoot();
        var work = Path.Combine(Path.GetTempPath(), "ai-engine-" + Guid.NewGuid().ToString("N")[..8]);
        var smtpPort = BenchEnvironment.FreePort();
        await using var receiver = new Receiver();
        await using var host = await AlarmInboxHost.StartAsync(root, Path.Combine(work, "data"),
        [
            "--AlarmInbox:Smtp:Enabled=true", $"--AlarmInbox:Smtp:Port={smtpPort}", "--AlarmInbox:Smtp:BindAddress=127.0.0.1",
            "--AlarmInbox:Smtp:Domain=alarm.bench", "--AlarmInbox:Alarms:StoredAlarms=100000",
        ], cancellationToken);
        var report = new List<string>
        {
            $"engine run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores: silo + API processes (Release, SQLite), SMTP and webhook receiver on loopback",
            "",
            "| stored alarms | mails | silo CPU per mail | SMTP 250 → webhook p50 / p95 / max | evaluated → webhook p50 / p99 / max | load average (1 min) |",
            "|---:|---:|---:|---|---|---:|",
        };
        if (warmup > 0 || warmupMails > 0)
        {
            var (tenant, address) = await CreateTenantAsync(host, "eng-warmup", cancellationToken);
            await FillAsync(host, smtpPort, tenant, address, warmup, cancellationToken);
            await AddWebhookAsync(host, tenant, receiver, cancellationToken);
            // Rounds until the CPU per mail settles: the runtime compiles hot methods again (tier 1) in the background,
            // and on a busy machine that lags behind the calls; each round starts once the silo is quiet again.
            var previous = double.MaxValue;
            for (var round = 1; round <= MaxWarmupRounds && warmupMails > 0; round++)
            {
                var (cpuPerMail, _, _) = await MeasureAsync(host, smtpPort, receiver, $"{tenant}-r{round}", address, warmupMails, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up round {round}: {warmupMails} mails one at a time, {cpuPerMail:0.0} ms CPU per mail (not reported)"));
                if (cpuPerMail > previous * 0.9)
                {
                    break;
                }

                previous = cpuPerMail;
            }
        }

        foreach (var size in sizes)
        {
            var (tenant, address) = await CreateTenantAsync(host, $"eng-{size}", cancellationToken);
            await FillAsync(host, smtpPort, tenant, address, size, cancellationToken);
            await AddWebhookAsync(host, tenant, receiver, cancellationToken);
            var (cpuPerMail, endToEnd, evaluatedToSent) = await MeasureAsync(host, smtpPort, receiver, tenant, address, mails, cancellationToken);
            report.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {size:N0} | {mails} | {cpuPerMail:0.0} ms | {P(endToEnd, 50):0} / {P(endToEnd, 95):0} / {endToEnd.Max():0} ms | {P(evaluatedToSent, 50):0.0} / {P(evaluatedToSent, 99):0.0} / {evaluatedToSent.Max():0.0} ms | {LoadAverage()} |"));
            Console.WriteLine(report[^1]);
        }

        report.Add("");
        report.Add("| burst | tenants | SMTP: first to last 250 | last 250 → last webhook | alarms per second (end to end) | load average (1 min) |");
        report.Add("|---:|---:|---:|---:|---:|---:|");
        var failed = false;
        foreach (var tenants in burstTenants)
        {
            var targets = new List<(string Tenant, string Address)>();
            for (var t = 0; t < tenants; t++)
            {
                var (tenant, address) = await CreateTenantAsync(host, $"burst{tenants}-{t}", cancellationToken);
                await AddWebhookAsync(host, tenant, receiver, cancellationToken);
                targets.Add((tenant, address));
            }

            var incidents = Enumerable.Range(0, burst).Select(i => (Incident: $"burst{tenants}-{i}", Target: targets[i % tenants])).ToList();
            var queue = new ConcurrentQueue<(string Incident, (string Tenant, string Address) Target)>(incidents);
            var first = Stopwatch.GetTimestamp();
            long last250 = 0;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                using var client = await ConnectAsync(smtpPort, cancellationToken);
                while (queue.TryDequeue(out var item))
                {
                    await client.SendAsync(Mail(item.Incident), MailboxAddress.Parse(Sender), [MailboxAddress.Parse(Address(item.Target.Address))], cancellationToken);
                    Interlocked.Exchange(ref last250, Stopwatch.GetTimestamp());
                }

                await client.DisconnectAsync(quit: true, cancellationToken);
            }));
            var lastAccepted = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(Interlocked.Read(ref last250));
            var smtpSeconds = Stopwatch.GetElapsedTime(first, Interlocked.Read(ref last250)).TotalSeconds;
            DateTimeOffset lastWebhook;
            try
            {
                var hits = await Task.WhenAll(incidents.Select(i => receiver.WaitAsync(i.Incident, TimeSpan.FromMinutes(20), cancellationToken)));
                lastWebhook = hits.Max(h => h.At);
            }
            catch (TimeoutException ex)
            {
                Console.Error.WriteLine(ex.Message);
                failed = true;
                continue;
            }

            var tail = (lastWebhook - lastAccepted).TotalSeconds;
            var total = smtpSeconds + tail;
            report.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {burst:N0} | {tenants} | {smtpSeconds:0.0} s | {tail:0.0} s | {burst / total:0} | {LoadAverage()} |"));
            Console.WriteLine(report[^1]);
        }

        Console.WriteLine();
        Console.WriteLine(string.Join('\n', report));
        return failed ? 2 : 0;
    }

    private static double P(List<double> values, double p) => Stats.Percentile(values, p);

    /// <summary>The machine's load average over the last minute, as <c>/proc/loadavg</c> gives it.</summary>
    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <summary>
    /// Sends <paramref name="mails"/> alarm mails (incident numbers <paramref name="incidentPrefix"/>-m0, -m1, …) one at
    /// a time over one SMTP connection, each after the webhook of the one before arrived: silo CPU per mail (minus the
    /// idle rate measured right before), SMTP 250 → webhook received, and alarm evaluated → webhook received, in milliseconds.
    /// </summary>
    private static async Task<(double CpuPerMail, List<double> EndToEnd, List<double> EvaluatedToSent)> MeasureAsync(
        AlarmInboxHost host, int smtpPort, Receiver receiver, string incidentPrefix, string address, int mails, CancellationToken cancellationToken)
    {
        var idleRate = await IdleCpuRateAsync(host.SiloPid, cancellationToken);
        var cpuBefore = ProcFs.CpuSeconds(host.SiloPid);
        var started = Stopwatch.GetTimestamp();
        var endToEnd = new List<double>();
        var evaluatedToSent = new List<double>();
        using (var client = await ConnectAsync(smtpPort, cancellationToken))
        {
            for (var i = 0; i < mails; i++)
            {
                var incident = $"{incidentPrefix}-m{i}";
                await client.SendAsync(Mail(incident), MailboxAddress.Parse(Sender), [MailboxAddress.Parse(Address(address))], cancellationToken);
                var accepted = DateTimeOffset.UtcNow;
                var hit = await receiver.WaitAsync(incident, TimeSpan.FromSeconds(60), cancellationToken);
                endToEnd.Add((hit.At - accepted).TotalMilliseconds);
                evaluatedToSent.Add((hit.At - hit.EvaluatedAt).TotalMilliseconds);
            }

            await client.DisconnectAsync(quit: true, cancellationToken);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpuPerMail = mails == 0 ? 0 : (ProcFs.CpuSeconds(host.SiloPid) - cpuBefore - (idleRate * seconds)) / mails * 1000;
        return (cpuPerMail, endToEnd, evaluatedToSent);
    }

    private static async Task<(string Tenant, string Address)> CreateTenantAsync(AlarmInboxHost host, string tenant, CancellationToken cancellationToken)
    {
        (await host.Http.PostAsJsonAsync("/api/tenants", new { id = tenant, name = tenant }, cancellationToken)).EnsureSuccessStatusCode();
        var created = await host.Http.PostAsJsonAsync($"/api/tenants/{tenant}/inbound-addresses", new { description = "bench" }, cancellationToken);
        created.EnsureSuccessStatusCode();
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
        return (tenant, (string)body["address"]! + "|" + (string)body["id"]!);
    }

    private static async Task AddWebhookAsync(AlarmInboxHost host, string tenant, Receiver receiver, CancellationToken cancellationToken) =>
        (await host.Http.PostAsJsonAsync($"/api/tenants/{tenant}/webhooks", new { name = "bench", url = receiver.Url, secret = Secret }, cancellationToken)).EnsureSuccessStatusCode();

    /// <summary>Sends <paramref name="count"/> alarm mails over 4 connections and waits until the last one is stored as an alarm and the silo is quiet.</summary>
    private static async Task FillAsync(AlarmInboxHost host, int smtpPort, string tenant, string address, int count, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var client = await ConnectAsync(smtpPort, cancellationToken);
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await client.SendAsync(Mail($"{tenant}-fill{i}"), MailboxAddress.Parse(Sender), [MailboxAddress.Parse(Address(address))], cancellationToken);
            }

            await client.DisconnectAsync(quit: true, cancellationToken);
        }));

        // Every mail is alarmed once its hand-off is done: wait until the inbound address counted them all and the
        // newest alarm is there, then until the silo's CPU is quiet.
        var addressId = address.Split('|')[1];
        while (true)
        {
            var info = await host.Http.GetFromJsonAsync<JsonObject>($"/api/tenants/{tenant}/inbound-addresses/{addressId}", cancellationToken);
            if ((long)info!["acceptedCount"]! >= count)
            {
                break;
            }

            await Task.Delay(200, cancellationToken);
        }

        await IdleCpuRateAsync(host.SiloPid, cancellationToken);
        Console.WriteLine($"{tenant}: {count} alarms stored in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Waits until the silo uses less than 10 % of a core over one second; returns that rate (CPU seconds per second).</summary>
    private static async Task<double> IdleCpuRateAsync(int pid, CancellationToken cancellationToken)
    {
        while (true)
        {
            var before = ProcFs.CpuSeconds(pid);
            var watch = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            var rate = (ProcFs.CpuSeconds(pid) - before) / watch.Elapsed.TotalSeconds;
            if (rate < 0.1)
            {
                return rate;
            }
        }
    }

    private static string Address(string address) => address.Split('|')[0];

    private static async Task<SmtpClient> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var client = new SmtpClient { LocalDomain = "bench.test" };
        await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None, cancellationToken);
        return client;
    }

    private static MimeMessage Mail(string incident)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(Sender));
        message.To.Add(MailboxAddress.Parse("wehr@ff-musterdorf.example"));
        message.Subject = "B3 Wohnhausbrand " + incident;
        message.Body = new TextPart("plain") { Text = $"Einsatznummer: {incident}\nStichwort: B3 Wohnhausbrand\nOrt: Musterdorf, Lindenweg 7\nBemerkung: Rauch aus Dachgeschoss" };
        return message;
    }

    /// <summary>The webhook receiver: answers 200 and remembers when each incident number first arrived.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource<(DateTimeOffset At, DateTimeOffset EvaluatedAt)>> _hits = new(StringComparer.Ordinal);
        private readonly Task _loop;

        public Receiver()
        {
            var port = BenchEnvironment.FreePort();
            Url = $"http://127.0.0.1:{port}/hook";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }

                    var at = DateTimeOffset.UtcNow;
                    _ = Task.Run(async () =>
                    {
                        var body = await JsonNode.ParseAsync(context.Request.InputStream);
                        context.Response.StatusCode = 200;
                        context.Response.Close();
                        var alarm = body!["alarm"]!;
                        var incident = (string?)alarm["incidentNumber"];
                        if (incident is not null)
                        {
                            Slot(incident).TrySetResult((at, DateTimeOffset.Parse((string)alarm["evaluatedAt"]!, CultureInfo.InvariantCulture)));
                        }
                    });
                }
            });
        }

        public string Url { get; }

        public async Task<(DateTimeOffset At, DateTimeOffset EvaluatedAt)> WaitAsync(string incident, TimeSpan timeout, CancellationToken cancellationToken)
        {
            try
            {
                return await Slot(incident).Task.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"No webhook for incident {incident} within {timeout}.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            // Close alone (Stop first makes Close bind the port again on Linux).
            _listener.Close();
            try
            {
                await _loop;
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                // stopped
            }
        }

        private TaskCompletionSource<(DateTimeOffset At, DateTimeOffset EvaluatedAt)> Slot(string incident) =>
            _hits.GetOrAdd(incident, _ => new TaskCompletionSource<(DateTimeOffset, DateTimeOffset)>(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
