using System.Globalization;

namespace AlarmInbox.Bench;

/// <summary>Options of the <c>load</c> subcommand.</summary>
/// <param name="Mailboxes">Mailboxes (and Dovecot users) to create.</param>
/// <param name="IntervalSeconds">Poll interval of every mailbox, in seconds; also the length of the unmeasured warm-up.</param>
/// <param name="Seconds">Length of the measurement window, in seconds.</param>
/// <param name="MailRate">Mails delivered per second during the window, each to a random mailbox.</param>
/// <param name="Concurrency">Concurrent API requests while registering and reading results.</param>
/// <param name="SampleSeconds">Seconds between two samples of CPU, memory and connections.</param>
/// <param name="SiloArgs">Extra arguments for the silo (<c>--silo-arg</c>, repeatable).</param>
/// <param name="Output">The markdown file the report is appended to; null for docs/benchmarks-scale-latest-run.md.</param>
public sealed record LoadOptions(int Mailboxes, int IntervalSeconds, int Seconds, double MailRate, int Concurrency, int SampleSeconds, IReadOnlyList<string> SiloArgs, string? Output)
{
    /// <summary>Parses <c>--mailboxes N [--interval 60] [--seconds 180] [--mail-rate 2] [--concurrency 16] [--sample 5] [--silo-arg X]… [--output FILE]</c>.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    public static LoadOptions Parse(string[] args)
    {
        var cli = new CommandLine(args);
        var options = new LoadOptions(
            cli.Int("--mailboxes", null), cli.Int("--interval", 60), cli.Int("--seconds", 180), cli.Double("--mail-rate", 2),
            cli.Int("--concurrency", 16), cli.Int("--sample", 5), cli.All("--silo-arg"), cli.Value("--output"));
        if (options.Mailboxes < 1 || options.IntervalSeconds < 10 || options.Seconds < 1 || options.MailRate < 0 || options.Concurrency < 1 || options.SampleSeconds < 1)
        {
            throw new ArgumentException("load: --mailboxes ≥ 1, --interval ≥ 10 (the API's minimum), --seconds ≥ 1, --mail-rate ≥ 0, --concurrency ≥ 1, --sample ≥ 1.");
        }

        return options;
    }
}
