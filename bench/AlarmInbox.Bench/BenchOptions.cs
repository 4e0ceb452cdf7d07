using System.Globalization;

namespace AlarmInbox.Bench;

/// <summary>Command-line options of the benchmark.</summary>
public sealed record BenchOptions(int Mails, int PollSpreadSeconds, int CostMailboxes, int CostSeconds, string? Output)
{
    /// <summary>Parses <c>--mails N --poll-spread S --cost-mailboxes N --cost-seconds S --output FILE</c>.</summary>
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Int(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new BenchOptions(Int("--mails", 200), Int("--poll-spread", 300), Int("--cost-mailboxes", 200), Int("--cost-seconds", 120), Value("--output"));
    }
}
