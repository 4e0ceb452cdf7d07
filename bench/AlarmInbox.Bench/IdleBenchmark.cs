using System.Diagnostics;
using System.Globalization;

namespace AlarmInbox.Bench;

/// <summary>
/// The <c>idle</c> subcommand (issue 15, item 6): the CPU of an empty silo (embedded mode, no mailboxes, API connected)
/// as shipped, and with the idle settings turned back to the library defaults (thread pool spinning, dashboard sampling
/// every second, 8 stream queues), measured alternately so that load from other processes on the
/// machine hits both alike. Prints a markdown table for docs/benchmarks.md.
/// </summary>
public static class IdleBenchmark
{
    /// <summary>The library defaults, as silo arguments and environment.</summary>
    private static readonly string[] DefaultsArgs = ["--AlarmInbox:Silo:DashboardSampleInterval=00:00:01", "--AlarmInbox:Silo:AlarmStreamQueues=8"];

    /// <summary>Runs <paramref name="rounds"/> rounds of both variants, <paramref name="seconds"/> of measurement each after <paramref name="settleSeconds"/> of settling.</summary>
    public static async Task<int> RunAsync(int rounds, int seconds, int settleSeconds, CancellationToken cancellationToken)
    {
        var root = BenchEnvironment.FindRoot();
        var results = new Dictionary<string, List<double>> { ["as shipped"] = [], ["library defaults"] = [] };
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var variant in results.Keys)
            {
                var defaults = variant == "library defaults";
                // The silo inherits this environment: 70 is the runtime's default spin limit (hex 46 in DOTNET_ variables).
                Environment.SetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", defaults ? "46" : null);
                var data = Path.Combine(Path.GetTempPath(), "ai-idle-" + Guid.NewGuid().ToString("N")[..8]);
                await using var host = await AlarmInboxHost.StartAsync(root, data, defaults ? DefaultsArgs : [], cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(settleSeconds), cancellationToken);
                var before = ProcFs.CpuSeconds(host.SiloPid);
                var watch = Stopwatch.StartNew();
                await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
                var percent = (ProcFs.CpuSeconds(host.SiloPid) - before) / watch.Elapsed.TotalSeconds * 100;
                results[variant].Add(percent);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}, {variant}: {percent:0.00} % of a core (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})"));
            }
        }

        Environment.SetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", null);
        Console.WriteLine();
        Console.WriteLine("| empty silo | rounds | % of a core, median | min – max |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var (variant, values) in results)
        {
            values.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {variant} | {values.Count} | {values[values.Count / 2]:0.00} | {values[0]:0.00} – {values[^1]:0.00} |"));
        }

        return 0;
    }
}
