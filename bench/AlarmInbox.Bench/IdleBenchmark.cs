using System.Diagnostics;
using System.Globalization;

namespace AlarmInbox.Bench;

/// <summary>
/// The <c>idle</c> subcommand (issue 15, item 6): the CPU of an empty silo (embedded mode, no mailboxes, API connected)
/// as shipped, as shipped but with the Orleans Dashboard collecting its counters every second (the package's behaviour
/// before issue 15), and with all idle settings turned back to the library defaults (thread pool spinning, dashboard
/// sampling and collecting every second, 8 stream queues). Each round starts a new silo (and API) per variant and
/// measures them side by side over the same window, so that load from other processes on the machine hits them alike.
/// A fresh silo's tiered JIT keeps compiling for minutes (methods called every few seconds reach the call count late):
/// settle long to measure the steady state. Prints a markdown table for docs/benchmarks.md.
/// </summary>
public static class IdleBenchmark
{
    /// <summary>The variants by name: silo arguments, and whether the thread pool spins as the runtime's default.</summary>
    private static readonly Dictionary<string, (string[] Args, bool Spin)> Variants = new(StringComparer.Ordinal)
    {
        ["shipped"] = ([], false),
        ["dashboard-always"] = (["--AlarmInbox:Silo:DashboardAlwaysCollect=true"], false),
        ["defaults"] = (
            ["--AlarmInbox:Silo:DashboardSampleInterval=00:00:01", "--AlarmInbox:Silo:DashboardAlwaysCollect=true", "--AlarmInbox:Silo:AlarmStreamQueues=8"],
            true),
    };

    /// <summary>The names of the variants, in the order of the default run.</summary>
    public static IReadOnlyCollection<string> VariantNames => Variants.Keys;

    /// <summary>
    /// Runs <paramref name="rounds"/> rounds of <paramref name="variants"/> side by side, <paramref name="seconds"/> of
    /// measurement after <paramref name="settleSeconds"/> of settling.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown variant name.</exception>
    public static async Task<int> RunAsync(int rounds, int seconds, int settleSeconds, IReadOnlyList<string> variants, CancellationToken cancellationToken)
    {
        if (variants.FirstOrDefault(v => !Variants.ContainsKey(v)) is { } unknown)
        {
            throw new ArgumentException($"idle --variants: '{unknown}' is unknown; use {string.Join(", ", Variants.Keys)}.");
        }

        var root = BenchEnvironment.FindRoot();
        var results = variants.Distinct().ToDictionary(v => v, _ => new List<double>(), StringComparer.Ordinal);
        for (var round = 1; round <= rounds; round++)
        {
            var hosts = new Dictionary<string, AlarmInboxHost>(StringComparer.Ordinal);
            try
            {
                foreach (var variant in results.Keys)
                {
                    var (args, spin) = Variants[variant];
                    // The silo inherits this environment: 70 is the runtime's default spin limit (hex 46 in DOTNET_ variables).
                    Environment.SetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", spin ? "46" : null);
                    var data = Path.Combine(Path.GetTempPath(), "ai-idle-" + Guid.NewGuid().ToString("N")[..8]);
                    hosts[variant] = await AlarmInboxHost.StartAsync(root, data, args, cancellationToken);
                }

                await Task.Delay(TimeSpan.FromSeconds(settleSeconds), cancellationToken);
                var before = hosts.ToDictionary(h => h.Key, h => ProcFs.CpuSeconds(h.Value.SiloPid), StringComparer.Ordinal);
                var watch = Stopwatch.StartNew();
                await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
                var elapsed = watch.Elapsed.TotalSeconds;
                var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                foreach (var (variant, host) in hosts)
                {
                    var percent = (ProcFs.CpuSeconds(host.SiloPid) - before[variant]) / elapsed * 100;
                    results[variant].Add(percent);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}, {variant}: {percent:0.00} % of a core (load average {load})"));
                }
            }
            finally
            {
                foreach (var host in hosts.Values)
                {
                    await host.DisposeAsync();
                }
            }
        }

        Environment.SetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", null);
        Console.WriteLine();
        Console.WriteLine("| empty silo | rounds | % of a core, median | min – max | each round |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (variant, values) in results)
        {
            var each = string.Join(", ", values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)));
            values.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {variant} | {values.Count} | {values[values.Count / 2]:0.00} | {values[0]:0.00} – {values[^1]:0.00} | {each} |"));
        }

        return 0;
    }
}
