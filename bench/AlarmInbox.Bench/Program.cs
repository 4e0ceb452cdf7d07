using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlarmInbox.Bench;

// End-to-end latency (APPEND → visible through the API) with IDLE and with 60 s polling, and the cost of idle
// mailboxes (silo CPU seconds per hour and memory), against the real silo and API processes and a real Dovecot.
// Usage: dotnet run -c Release --project bench/AlarmInbox.Bench -- [--mails 200] [--cost-mailboxes 200] [--cost-seconds 120]
// Subcommands (issue 9, see docs/benchmarks.md "Scale"): load --mailboxes N …, compare --mailboxes 100,1000 …;
// idle [--rounds 3] [--seconds 120] [--variants …] (issue 15: CPU of an empty silo, as shipped, with the dashboard
// collecting always, and with library defaults; with --polled N --interval S: silo CPU per timer poll of N mailboxes);
// engine --alarms 0,100,1000,10000 … (issue 15: per-mail cost and latency by stored alarms, bursts; "Engine");
// render [--rounds 5] (issue 16): decoding time of 25 MiB bomb mails;
// outbox [--pending 0,1000,5000,20000] (issue 15): the outbox's scheduling cost of one more delivery while many are pending.
if (args is ["load" or "compare" or "idle" or "engine", ..])
{
    return await ScaleCommands.RunAsync(args);
}

if (args is ["outbox", ..])
{
    return OutboxIndexBenchmark.Run(args);
}

if (args is ["render", ..])
{
    // Issue 16: decoder and HTML renderer time for the largest allowed mail (see docs/benchmarks.md "Hostile mail").
    return RenderBenchmark.Run(args);
}

var options = BenchOptions.Parse(args);
await using var env = await BenchEnvironment.StartAsync(options);
var report = new List<string>
{
    $"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores; Dovecot on loopback; silo + API as separate processes (Release).",
    "",
};

// 1. IDLE: one mail at a time, each waited for.
{
    var user = await env.CreateUserAsync("idle");
    var mailbox = await env.CreateMailboxAsync(user, useIdle: true, pollIntervalSeconds: 3600);
    await env.WaitAsync(async () => (bool?)(await env.GetMailboxAsync(mailbox))["status"]!["idleActive"] == true, TimeSpan.FromSeconds(30));
    await using var appender = await env.OpenAppenderAsync(user);
    var latencies = new List<double>();
    for (var i = 1; i <= options.Mails; i++)
    {
        var subject = $"bench idle {i}";
        var watch = Stopwatch.StartNew();
        await appender.AppendAsync(subject);
        await env.WaitAsync(async () => await env.NewestSubjectAsync(mailbox) == subject, TimeSpan.FromSeconds(30), pollEvery: TimeSpan.FromMilliseconds(5));
        latencies.Add(watch.Elapsed.TotalMilliseconds);
    }

    report.Add(Stats.Row($"IDLE, {options.Mails} mails, one at a time", latencies));
    Console.WriteLine(report[^1]);
}

// 2. Polling every 60 s: mails spread over time across 5 mailboxes; the first time each is visible is recorded.
{
    var mailboxes = new List<(string User, string Id)>();
    for (var m = 0; m < 5; m++)
    {
        var user = await env.CreateUserAsync($"poll{m}");
        mailboxes.Add((user, await env.CreateMailboxAsync(user, useIdle: false, pollIntervalSeconds: 60)));
    }

    var sent = new Dictionary<string, Stopwatch>();
    var seen = new Dictionary<string, double>();
    using var watching = new CancellationTokenSource();
    var watcher = Task.Run(async () =>
    {
        while (!watching.IsCancellationRequested)
        {
            foreach (var (_, id) in mailboxes)
            {
                foreach (var subject in await env.SubjectsAsync(id, 100))
                {
                    lock (sent)
                    {
                        if (sent.TryGetValue(subject, out var w) && !seen.ContainsKey(subject))
                        {
                            seen[subject] = w.Elapsed.TotalMilliseconds;
                        }
                    }
                }
            }

            await Task.Delay(100);
        }
    });
    var spacing = TimeSpan.FromSeconds(options.PollSpreadSeconds / (double)options.Mails);
    for (var i = 1; i <= options.Mails; i++)
    {
        var (user, _) = mailboxes[i % mailboxes.Count];
        var subject = $"bench poll {i}";
        lock (sent)
        {
            sent[subject] = Stopwatch.StartNew();
        }

        await env.AppendOnceAsync(user, subject);
        await Task.Delay(spacing);
    }

    await env.WaitAsync(() => { lock (sent) { return Task.FromResult(seen.Count == sent.Count); } }, TimeSpan.FromSeconds(90));
    await watching.CancelAsync();
    await watcher;
    report.Add(Stats.Row($"Polling every 60 s, {options.Mails} mails over {options.PollSpreadSeconds} s, 5 mailboxes", seen.Values.ToList()));
    Console.WriteLine(report[^1]);
}

// 3. Cost of idle mailboxes: silo CPU and RSS with none, N polled (60 s) and N in IDLE.
{
    var baseline = await env.MeasureSiloAsync(TimeSpan.FromSeconds(options.CostSeconds));
    var ids = new List<string>();
    for (var i = 0; i < options.CostMailboxes; i++)
    {
        var user = await env.CreateUserAsync($"cost{i}");
        ids.Add(await env.CreateMailboxAsync(user, useIdle: false, pollIntervalSeconds: 60));
    }

    await Task.Delay(TimeSpan.FromSeconds(20));
    var polled = await env.MeasureSiloAsync(TimeSpan.FromSeconds(options.CostSeconds));
    foreach (var id in ids)
    {
        await env.SetIdleAsync(id, true);
    }

    await env.WaitAsync(async () => await env.CountIdleActiveAsync() >= options.CostMailboxes + 1, TimeSpan.FromSeconds(120));
    await Task.Delay(TimeSpan.FromSeconds(10));
    var idle = await env.MeasureSiloAsync(TimeSpan.FromSeconds(options.CostSeconds));

    report.Add("");
    report.Add($"| silo with | CPU s per hour (whole silo) | RSS MiB | per mailbox: CPU s/h | per mailbox: RSS KiB |");
    report.Add("| --- | ---: | ---: | ---: | ---: |");
    report.Add(Stats.CostRow("no mailboxes (baseline)", baseline, baseline, 1));
    report.Add(Stats.CostRow($"{options.CostMailboxes} mailboxes polled every 60 s", polled, baseline, options.CostMailboxes));
    report.Add(Stats.CostRow($"{options.CostMailboxes} mailboxes in IDLE", idle, baseline, options.CostMailboxes));
    Console.WriteLine(string.Join(Environment.NewLine, report[^5..]));
}

var output = options.Output ?? Path.Combine(env.Root, "docs", "benchmarks-latest-run.md");
await File.WriteAllLinesAsync(output, report);
Console.WriteLine("Written to " + output);
return 0;
