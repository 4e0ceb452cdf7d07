namespace AlarmInbox.Bench;

/// <summary>Options of the <c>compare</c> subcommand.</summary>
/// <param name="Sizes">Numbers of mailboxes to compare at, e.g. 100 and 1,000.</param>
/// <param name="Concurrency">Concurrent API requests (registration and AlarmInbox's poll cycle).</param>
/// <param name="Output">The markdown file the report is appended to; null for docs/benchmarks-scale-latest-run.md.</param>
public sealed record CompareOptions(IReadOnlyList<int> Sizes, int Concurrency, string? Output)
{
    /// <summary>Parses <c>--mailboxes 100,1000 [--concurrency 16] [--output FILE]</c>.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    public static CompareOptions Parse(string[] args)
    {
        var cli = new CommandLine(args);
        var sizes = cli.IntList("--mailboxes", [100, 1000]);
        var options = new CompareOptions(sizes, cli.Int("--concurrency", 16), cli.Value("--output"));
        if (sizes.Count == 0 || sizes.Any(s => s < 1) || options.Concurrency < 1)
        {
            throw new ArgumentException("compare: --mailboxes takes positive numbers separated by commas; --concurrency ≥ 1.");
        }

        return options;
    }
}
