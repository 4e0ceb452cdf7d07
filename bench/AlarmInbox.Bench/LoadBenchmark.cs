using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AlarmInbox.Bench;

/// <summary>
/// The <c>load</c> subcommand (issue 9): N Dovecot users and N mailboxes polled at a fixed interval by one silo; after
/// one unmeasured interval, a window in which mail is delivered to random mailboxes at a set rate while silo, API and
/// Dovecot CPU, silo memory, IMAP connections and the silo's poll counter are sampled; then every delivered mail's
/// <c>fetchedAt</c> is read back through the API for the new-mail latency.
/// </summary>
public static class LoadBenchmark
{
    /// <summary>Runs the benchmark and appends its report to the output file.</summary>
    /// <returns>0, or 2 if some delivered mails were never seen.</returns>
    public static async Task<int> RunAsync(LoadOptions o, CancellationToken cancellationToken)
    {
        var root = BenchEnvironment.FindRoot();
        var work = ScaleRun.CreateWorkFolder("ai-load-");
        try
        {
            var started = DateTimeOffset.UtcNow;
            var log = (string line) => Console.WriteLine($"[load {o.Mailboxes}] {line}");
            await using var dovecot = await LoadDovecot.StartAsync(root, Path.Combine(work, "imap"), o.Mailboxes + 1000, cancellationToken);
            var watch = Stopwatch.StartNew();
            await dovecot.CreateUsersAsync(o.Mailboxes, cancellationToken);
            var usersSeconds = watch.Elapsed.TotalSeconds;
            log($"{o.Mailboxes} users written in {usersSeconds:0.0} s");

            await using var host = await AlarmInboxHost.StartAsync(root, Path.Combine(work, "data"), o.SiloArgs, cancellationToken);
            watch.Restart();
            var ids = await host.RegisterAsync(o.Mailboxes, dovecot.Port, o.IntervalSeconds, o.Concurrency, cancellationToken);
            var registrationSeconds = watch.Elapsed.TotalSeconds;
            log($"{o.Mailboxes} mailboxes registered in {registrationSeconds:0.0} s; warm-up {o.IntervalSeconds} s");

            // Warm-up: one full interval, so that every mailbox has polled on its own timer at least once.
            await Task.Delay(TimeSpan.FromSeconds(o.IntervalSeconds), cancellationToken);

            log($"measuring {o.Seconds} s, {o.MailRate} mails/s");
            var samples = new List<LoadSample>();
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            samples.Add(await LoadSample.TakeAsync(host, dovecot, cancellationToken));
            var sampler = SampleAsync(host, dovecot, TimeSpan.FromSeconds(o.SampleSeconds), samples, sampling.Token);
            var runId = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.NextInt64()))[..8].ToLowerInvariant();
            var deliveries = await DeliverAsync(dovecot, o, runId, cancellationToken);
            await sampling.CancelAsync();
            await sampler;
            samples.Add(await LoadSample.TakeAsync(host, dovecot, cancellationToken));
            var siloPeakKiB = ProcFs.PeakRssKiB(host.SiloPid);

            log($"{deliveries.Count} mails delivered; reading fetchedAt through the API");
            var deadline = TimeSpan.FromSeconds(2 * o.IntervalSeconds + 60);
            var latencies = await CollectLatenciesAsync(host, ids, deliveries, o.Concurrency, deadline, cancellationToken);

            var report = Report(o, started, usersSeconds, registrationSeconds, samples, siloPeakKiB, deliveries.Count, latencies);
            foreach (var line in report)
            {
                Console.WriteLine(line);
            }

            var output = o.Output ?? Path.Combine(root, "docs", "benchmarks-scale-latest-run.md");
            await File.AppendAllLinesAsync(output, report, CancellationToken.None);
            Console.WriteLine("Appended to " + output);
            var missing = deliveries.Count - latencies.Count;
            if (missing > 0)
            {
                Console.Error.WriteLine($"!!! {missing} of {deliveries.Count} delivered mails were NEVER SEEN by AlarmInbox !!!");
                return 2;
            }

            return 0;
        }
        finally
        {
            ScaleRun.DeleteWorkFolder(work);
        }
    }

    private static async Task SampleAsync(AlarmInboxHost host, LoadDovecot dovecot, TimeSpan every, List<LoadSample> samples, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var sample = await LoadSample.TakeAsync(host, dovecot, cancellationToken);
                lock (samples)
                {
                    samples.Add(sample);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // end of the window
        }
    }

    private static async Task<List<Delivery>> DeliverAsync(LoadDovecot dovecot, LoadOptions o, string runId, CancellationToken cancellationToken)
    {
        var deliveries = new List<Delivery>();
        var window = Stopwatch.StartNew();
        var total = (int)Math.Floor(o.MailRate * o.Seconds);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / o.MailRate);
            if (due > window.Elapsed)
            {
                await Task.Delay(due - window.Elapsed, cancellationToken);
            }

            var index = Random.Shared.Next(o.Mailboxes);
            var subject = $"load {runId}-{i.ToString(CultureInfo.InvariantCulture)}";
            deliveries.Add(new Delivery(index, subject, dovecot.Deliver(LoadDovecot.User(index), subject)));
        }

        var rest = TimeSpan.FromSeconds(o.Seconds) - window.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest, cancellationToken);
        }

        return deliveries;
    }

    private static async Task<List<double>> CollectLatenciesAsync(
        AlarmInboxHost host, string[] ids, List<Delivery> deliveries, int concurrency, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = deliveries.GroupBy(d => d.Index).ToDictionary(g => g.Key, g => g.ToList());
        var latencies = new ConcurrentBag<double>();
        var waited = Stopwatch.StartNew();
        while (pending.Count > 0)
        {
            var seenNow = new ConcurrentDictionary<int, List<Delivery>>();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                async (entry, token) =>
                {
                    var stored = await host.FetchedAtAsync(entry.Key, ids[entry.Key], Math.Min(500, entry.Value.Count + 10), token);
                    var left = new List<Delivery>();
                    foreach (var d in entry.Value)
                    {
                        if (stored.TryGetValue(d.Subject, out var fetchedAt))
                        {
                            latencies.Add((fetchedAt - d.DeliveredAt).TotalMilliseconds);
                        }
                        else
                        {
                            left.Add(d);
                        }
                    }

                    seenNow[entry.Key] = left;
                });
            pending = seenNow.Where(e => e.Value.Count > 0).ToDictionary(e => e.Key, e => e.Value);
            if (pending.Count == 0 || waited.Elapsed > timeout)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }

        return [.. latencies];
    }

    private static List<string> Report(
        LoadOptions o, DateTimeOffset started, double usersSeconds, double registrationSeconds, List<LoadSample> samples, long siloPeakKiB,
        int delivered, List<double> latencies)
    {
        var first = samples[0];
        var last = samples[^1];
        var seconds = (last.At - first.At).TotalSeconds;
        var cores = Environment.ProcessorCount;
        double Pct(double cpuSeconds) => cpuSeconds / seconds * 100;
        var siloCpu = Pct(last.SiloCpu - first.SiloCpu);
        var apiCpu = Pct(last.ApiCpu - first.ApiCpu);
        var dovecotCpu = Pct(last.DovecotCpu - first.DovecotCpu);
        var polls = (last.PollsSuccess + last.PollsError - first.PollsSuccess - first.PollsError) / seconds;
        var pollErrors = last.PollsError - first.PollsError;
        var planned = o.Mailboxes / (double)o.IntervalSeconds;
        var rssAvg = samples.Average(s => s.SiloRssKiB) / 1024;
        var rssMax = samples.Max(s => s.SiloRssKiB) / 1024.0;
        var never = delivered - latencies.Count;
        string L(double p) => latencies.Count == 0 ? "–" : (Stats.Percentile(latencies, p) / 1000).ToString("0.0", CultureInfo.InvariantCulture);
        var inv = CultureInfo.InvariantCulture;
        var row = string.Create(inv,
            $"| {o.Mailboxes:N0} | {o.IntervalSeconds} s | {registrationSeconds:0} s | {siloCpu:0.0} % | {siloCpu / cores:0.0} % | {rssAvg:0} / {rssMax:0} MiB | {apiCpu:0.0} % | {dovecotCpu:0.0} % | {polls:0.0} / {planned:0.0} | {pollErrors:0} | {samples.Min(s => s.Connections):N0} / {samples.Max(s => s.Connections):N0} | {delivered} | {L(50)} / {L(99)} s | {(never == 0 ? "0" : $"**{never}**")} |");

        var lines = new List<string>
        {
            "",
            string.Create(inv, $"### load, {o.Mailboxes:N0} mailboxes, poll interval {o.IntervalSeconds} s — {started:yyyy-MM-dd HH:mm} UTC"),
            "",
            string.Create(inv, $"{cores} cores, {ScaleRun.MachineLine()}; commit {ScaleRun.Commit()}. Dovecot: scripts/dev-imap.sh with ALARMINBOX_IMAP_HIGH_PERFORMANCE=1 (imap-login service_count = 0, one process per core; 25 sessions per imap process). Silo args: {(o.SiloArgs.Count == 0 ? "defaults" : string.Join(' ', o.SiloArgs))}."),
            string.Create(inv, $"Users written in {usersSeconds:0.0} s; {o.Mailboxes:N0} mailboxes registered in {registrationSeconds:0.0} s ({o.Concurrency} concurrent, {o.Mailboxes / registrationSeconds:0} per s) in {(o.Mailboxes + AlarmInboxHost.MailboxesPerTenant - 1) / AlarmInboxHost.MailboxesPerTenant} tenants of {AlarmInboxHost.MailboxesPerTenant}; warm-up {o.IntervalSeconds} s; window {seconds:0} s with {o.MailRate} mails/s."),
            "",
            "| mailboxes | interval | registration | silo CPU (1 core) | silo CPU (machine) | silo RSS avg / max | API CPU (1 core) | Dovecot CPU (1 core) | polls/s achieved / planned | poll errors | IMAP conns min / max | mails | latency p50 / p99 | never seen |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            row,
            "",
            string.Create(inv, $"Latency (delivery into Maildir/new → fetchedAt): n = {latencies.Count}, p50 {L(50)} s, p95 {L(95)} s, p99 {L(99)} s, max {L(100)} s. Silo peak RSS (VmHWM, whole run incl. registration): {siloPeakKiB / 1024} MiB."),
        };
        if (never > 0)
        {
            lines.Add(string.Create(inv, $"**{never} of {delivered} delivered mails were never seen within {2 * o.IntervalSeconds + 60} s after the window.**"));
        }

        lines.Add("");
        lines.Add("<details><summary>samples</summary>");
        lines.Add("");
        lines.Add("| t s | silo CPU % (1 core) | silo RSS MiB | Dovecot CPU % (1 core) | IMAP conns | polls/s |");
        lines.Add("| ---: | ---: | ---: | ---: | ---: | ---: |");
        for (var i = 1; i < samples.Count; i++)
        {
            var (a, b) = (samples[i - 1], samples[i]);
            var dt = (b.At - a.At).TotalSeconds;
            lines.Add(string.Create(inv,
                $"| {(b.At - first.At).TotalSeconds:0} | {(b.SiloCpu - a.SiloCpu) / dt * 100:0.0} | {b.SiloRssKiB / 1024} | {(b.DovecotCpu - a.DovecotCpu) / dt * 100:0.0} | {b.Connections} | {(b.PollsSuccess + b.PollsError - a.PollsSuccess - a.PollsError) / dt:0.0} |"));
        }

        lines.Add("");
        lines.Add("</details>");
        return lines;
    }

    private sealed record Delivery(int Index, string Subject, DateTimeOffset DeliveredAt);
}
