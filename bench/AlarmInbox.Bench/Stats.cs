using System.Globalization;

namespace AlarmInbox.Bench;

/// <summary>Percentiles and report rows.</summary>
public static class Stats
{
    /// <summary>The p-th percentile (nearest rank) of <paramref name="values"/>.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>A markdown line with count, p50, p95, p99 and max in milliseconds.</summary>
    public static string Row(string name, IReadOnlyList<double> latenciesMs) => string.Create(
        CultureInfo.InvariantCulture,
        $"- {name}: n = {latenciesMs.Count}, p50 {Percentile(latenciesMs, 50):0} ms, p95 {Percentile(latenciesMs, 95):0} ms, p99 {Percentile(latenciesMs, 99):0} ms, max {latenciesMs.Max():0} ms");

    /// <summary>A markdown table row of a cost sample, with the per-mailbox share above the baseline.</summary>
    public static string CostRow(string name, SiloSample sample, SiloSample baseline, int mailboxes) => string.Create(
        CultureInfo.InvariantCulture,
        $"| {name} | {sample.CpuSecondsPerHour:0.0} | {sample.RssMiB:0} | {(sample.CpuSecondsPerHour - baseline.CpuSecondsPerHour) / mailboxes:0.00} | {(sample.RssMiB - baseline.RssMiB) * 1024 / mailboxes:0} |");
}
