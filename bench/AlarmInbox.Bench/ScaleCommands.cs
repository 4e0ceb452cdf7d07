using System.Runtime.InteropServices;

namespace AlarmInbox.Bench;

/// <summary>Dispatches the <c>load</c>, <c>compare</c>, <c>idle</c> and <c>engine</c> subcommands; Ctrl-C and SIGTERM cancel the run so that it cleans up.</summary>
public static class ScaleCommands
{
    /// <summary>
    /// <c>idle [--rounds 3] [--seconds 120] [--settle 30] [--variants shipped,dashboard-always,defaults]</c>: the empty
    /// silo; with <c>--polled N [--interval 60] [--warmup 300] [--silo-arg Key=Value …]</c>: the silo CPU per empty poll
    /// of N mailboxes (as root: it starts a Dovecot of its own); each <c>--silo-arg</c> is a configuration key of the silo,
    /// e.g. <c>--silo-arg AlarmInbox:Polling:WatchKeptSessions=false</c>.
    /// </summary>
    private static Task<int> RunIdleAsync(CommandLine cli, CancellationToken cancellationToken) => cli.Value("--polled") is null
        ? IdleBenchmark.RunAsync(cli.Int("--rounds", 3), cli.Int("--seconds", 120), cli.Int("--settle", 30),
            cli.Value("--variants")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [.. IdleBenchmark.VariantNames], cancellationToken)
        : PolledIdleBenchmark.RunAsync(cli.Int("--polled", null), cli.Int("--interval", 60), cli.Int("--rounds", 3), cli.Int("--seconds", 120), cli.Int("--settle", 30), cli.Int("--warmup", 300),
            [.. cli.All("--silo-arg").Select(a => "--" + a)], cancellationToken);

    /// <summary>Runs the subcommand named by <c>args[0]</c>.</summary>
    /// <returns>The process exit code: 0 success, 1 bad arguments, 2 a check failed (mails never seen, failed polls), 130 cancelled.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            // Keep the process alive: the run unwinds, stops silo, API and Dovecot, and deletes its folders.
            context.Cancel = true;
            Console.Error.WriteLine($"{context.Signal}: stopping and cleaning up…");
            cancel.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            return args[0] switch
            {
                "load" => await LoadBenchmark.RunAsync(LoadOptions.Parse(args[1..]), cancel.Token),
                "idle" => await RunIdleAsync(new CommandLine(args[1..]), cancel.Token),
                "engine" => await EngineBenchmark.RunAsync(args[1..], cancel.Token),
                _ => await CompareBenchmark.RunAsync(CompareOptions.Parse(args[1..]), cancel.Token),
            };
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled; everything was stopped and removed.");
            return 130;
        }
    }
}
