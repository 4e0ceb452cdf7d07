using System.Diagnostics;
using System.Globalization;
using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Webhooks;

namespace AlarmInbox.Bench;

/// <summary>
/// Issue 15: what one more delivery costs the webhook outbox's scheduling while many are pending (a receiver down for
/// long). With N deliveries waiting for their retry, one new delivery is queued, picked as due, started, finished and the
/// next wake-up computed, as <see cref="WebhookOutboxGrain"/> does twice per delivery (when it is queued and when its
/// attempt ends). Measures <see cref="PendingDeliveries"/> and, for comparison, the list scans the outbox used before
/// it (each "is this the next revision of its alarm?" a scan of the whole list, so every pass was quadratic). In this
/// process, no I/O.
/// Usage: dotnet run -c Release --project bench/AlarmInbox.Bench -- outbox [--pending 0,1000,5000,20000] [--rounds 2000]
/// </summary>
public static class OutboxIndexBenchmark
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Runs the benchmark and prints markdown rows.</summary>
    public static int Run(string[] args)
    {
        var sizes = Option(args, "--pending", "0,1000,5000,20000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var rounds = int.Parse(Option(args, "--rounds", "2000"), CultureInfo.InvariantCulture);
        Console.WriteLine($"outbox run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine("| pending deliveries | one more delivery: index | one more delivery: list scans (before) |");
        Console.WriteLine("|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var index = Measure(size, rounds, IndexRound);
            // The scans are quadratic: fewer rounds, and none beyond 5,000 (about a second per delivery there already).
            var scans = size <= 5_000 ? $"{Measure(size, Math.Max(3, rounds / Math.Max(1, size / 10)), ScanRound):0.000} ms" : "not run";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {size:N0} | {index:0.000} ms | {scans} |"));
        }

        return 0;
    }

    /// <summary>Median milliseconds of one round over <paramref name="rounds"/> rounds with <paramref name="size"/> deliveries waiting.</summary>
    private static double Measure(int size, int rounds, Func<Backlog, int, double> round)
    {
        var backlog = new Backlog(size);
        for (var i = 0; i < Math.Min(rounds, 50); i++)
        {
            round(backlog, -1 - i);
        }

        var times = new List<double>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            times.Add(round(backlog, i));
        }

        return Stats.Percentile(times, 50);
    }

    private static double IndexRound(Backlog backlog, int i)
    {
        var entry = Entry($"alm-new-{i}", 1, Now);
        var watch = Stopwatch.StartNew();
        backlog.Index.Add(entry);
        foreach (var due in backlog.Index.Due(Now, 4))
        {
            backlog.Index.Start(due);
        }

        _ = (backlog.Index.NextAttemptAt, backlog.Index.OldestCreatedAt);
        entry.State = WebhookDeliveryState.Delivered;
        backlog.Index.Finish(entry);
        _ = (backlog.Index.Due(Now, 4), backlog.Index.NextAttemptAt, backlog.Index.OldestCreatedAt);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double ScanRound(Backlog backlog, int i)
    {
        var entry = Entry($"alm-new-{i}", 1, Now);
        var list = backlog.List;
        var inFlight = new HashSet<OutboxEntry>();
        var watch = Stopwatch.StartNew();
        list.Add(entry);
        foreach (var due in list.Where(d => !inFlight.Contains(d) && d.NextAttemptAt <= Now && IsNext(list, d)).OrderBy(d => d.NextAttemptAt).Take(4).ToList())
        {
            inFlight.Add(due);
        }

        _ = (list.Where(d => !inFlight.Contains(d) && IsNext(list, d)).Min(d => d.NextAttemptAt), Oldest(list));
        inFlight.Remove(entry);
        list.Remove(entry);
        _ = list.Where(d => !inFlight.Contains(d) && d.NextAttemptAt <= Now && IsNext(list, d)).OrderBy(d => d.NextAttemptAt).Take(4).ToList();
        _ = (list.Where(d => !inFlight.Contains(d) && IsNext(list, d)).Min(d => d.NextAttemptAt), Oldest(list));
        return watch.Elapsed.TotalMilliseconds;
    }

    private static DateTimeOffset? Oldest(List<OutboxEntry> list) => list.Count == 0 ? null : list.Min(d => d.CreatedAt);

    private static bool IsNext(List<OutboxEntry> list, OutboxEntry entry) =>
        !list.Exists(d => d.Revision < entry.Revision && d.WebhookId == entry.WebhookId && d.AlarmId == entry.AlarmId);

    private static OutboxEntry Entry(string alarmId, int revision, DateTimeOffset due) => new()
    {
        WebhookId = "wh-bench",
        AlarmId = alarmId,
        Revision = revision,
        IdempotencyKey = $"{alarmId}.{revision}",
        EventName = revision == 1 ? WebhookPayload.Created : WebhookPayload.Updated,
        State = WebhookDeliveryState.Pending,
        CreatedAt = due,
        NextAttemptAt = due,
    };

    private static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    /// <summary>N deliveries waiting for a retry an hour from now: alarms with two revisions each (the second waits for the first).</summary>
    private sealed class Backlog
    {
        public Backlog(int size)
        {
            for (var i = 0; i < size; i++)
            {
                var entry = Entry($"alm-{i / 2}", 1 + (i % 2), Now.AddHours(1).AddMilliseconds(i));
                entry.Attempts = 5;
                Index.Add(entry);
                List.Add(entry);
            }
        }

        public PendingDeliveries Index { get; } = new();

        public List<OutboxEntry> List { get; } = [];
    }
}
