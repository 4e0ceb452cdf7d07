using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AlarmInbox.Bench;

/// <summary>
/// The <c>compare</c> subcommand (issue 9): the wall time and CPU of checking every mailbox once with fetchmail, with
/// mbsync, and with AlarmInbox's poll cycle (on kept sessions, and reconnecting for every poll), against the same
/// Dovecot and the same mailboxes, each holding one old mail and nothing new.
/// </summary>
public static class CompareBenchmark
{
    /// <summary>Runs the comparison for every size and appends the report to the output file.</summary>
    /// <returns>0, or 2 if a client reported failures.</returns>
    public static async Task<int> RunAsync(CompareOptions o, CancellationToken cancellationToken)
    {
        var root = BenchEnvironment.FindRoot();
        var work = ScaleRun.CreateWorkFolder("ai-compare-");
        var failures = 0;
        try
        {
            foreach (var tool in new[] { "fetchmail", "mbsync" })
            {
                if (!File.Exists(Path.Combine("/usr/bin", tool)))
                {
                    throw new InvalidOperationException($"{tool} is not installed: run scripts/install-bench-tools.sh (apt packages fetchmail, isync).");
                }
            }

            var started = DateTimeOffset.UtcNow;
            var max = o.Sizes.Max();
            await using var dovecot = await LoadDovecot.StartAsync(root, Path.Combine(work, "imap"), max + 1000, cancellationToken);
            await dovecot.CreateUsersAsync(max, cancellationToken);
            for (var i = 0; i < max; i++)
            {
                dovecot.Deliver(LoadDovecot.User(i), "old mail " + i.ToString(CultureInfo.InvariantCulture));
            }

            var report = new List<string>
            {
                "",
                string.Create(CultureInfo.InvariantCulture, $"### compare, {string.Join(" and ", o.Sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))} mailboxes — {started:yyyy-MM-dd HH:mm} UTC"),
                "",
                $"{Environment.ProcessorCount} cores, {ScaleRun.MachineLine()}; commit {ScaleRun.Commit()}; {Version("fetchmail", "--version")}; {Version("mbsync", "--version")}. " +
                "Every mailbox holds one old mail and nothing new. Each client runs once unmeasured (warm-up: caches, JIT, mbsync's sync state, AlarmInbox's sessions), then once measured. " +
                $"fetchmail: one process, `fetchmail -c` (check only: LOGIN, EXAMINE, count, LOGOUT per mailbox, one after another), plain IMAP without STARTTLS (`sslproto \"\"` per user). " +
                $"mbsync: one process, `mbsync -a`, one channel per mailbox (`Sync Pull`, near side a throwaway Maildir whose folders are dated back after the warm-up so that mbsync does not wait out its one-second timestamp guard), `SSLType None`, `AuthMechs LOGIN`. " +
                $"AlarmInbox: `POST …/poll` for every mailbox, {o.Concurrency} at a time; client CPU = the silo process (the API process that relays the calls is listed apart).",
                "",
                "| mailboxes | client | wall s | client CPU s | API CPU s | Dovecot CPU s | wall ÷ AlarmInbox kept / reconnecting | client CPU ÷ AlarmInbox kept / reconnecting | Dovecot CPU ÷ AlarmInbox kept / reconnecting |",
                "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            };

            foreach (var size in o.Sizes)
            {
                var dir = Path.Combine(work, "clients-" + size.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(dir);
                var fetchmail = await MeasureToolAsync(dovecot, "fetchmail", WriteFetchmail(dir, dovecot.Port, size), [0, 1], cancellationToken);
                var mbsync = await MeasureToolAsync(dovecot, "mbsync", WriteMbsync(dir, dovecot.Port, size), [0], cancellationToken);
                var kept = await MeasureAlarmInboxAsync(root, work, dovecot, size, o.Concurrency, keepSessions: true, cancellationToken);
                var reconnecting = await MeasureAlarmInboxAsync(root, work, dovecot, size, o.Concurrency, keepSessions: false, cancellationToken);
                failures += fetchmail.Failures + mbsync.Failures + kept.Failures + reconnecting.Failures;
                foreach (var m in new[] { fetchmail, mbsync, kept, reconnecting })
                {
                    report.Add(Row(size, m, kept, reconnecting));
                    Console.WriteLine(report[^1]);
                }
            }

            if (failures > 0)
            {
                report.Add("");
                report.Add($"**{failures} failed checks (see the client's output in the console).**");
            }

            var output = o.Output ?? Path.Combine(root, "docs", "benchmarks-scale-latest-run.md");
            await File.AppendAllLinesAsync(output, report, CancellationToken.None);
            Console.WriteLine("Appended to " + output);
            return failures == 0 ? 0 : 2;
        }
        finally
        {
            ScaleRun.DeleteWorkFolder(work);
        }
    }

    private static string Row(int size, Measurement m, Measurement kept, Measurement reconnecting)
    {
        static string Ratio(double a, double b) => b <= 0 ? "–" : (a / b).ToString("0.0", CultureInfo.InvariantCulture) + "×";
        return string.Create(CultureInfo.InvariantCulture,
            $"| {size:N0} | {m.Client} | {m.WallSeconds:0.00} | {m.ClientCpu:0.00} | {(m.ApiCpu is { } api ? api.ToString("0.00", CultureInfo.InvariantCulture) : "–")} | {m.ServerCpu:0.00} | {Ratio(m.WallSeconds, kept.WallSeconds)} / {Ratio(m.WallSeconds, reconnecting.WallSeconds)} | {Ratio(m.ClientCpu, kept.ClientCpu)} / {Ratio(m.ClientCpu, reconnecting.ClientCpu)} | {Ratio(m.ServerCpu, kept.ServerCpu)} / {Ratio(m.ServerCpu, reconnecting.ServerCpu)} |");
    }

    private static async Task<Measurement> MeasureToolAsync(LoadDovecot dovecot, string tool, ToolRun run, int[] okExitCodes, CancellationToken cancellationToken)
    {
        await RunToolAsync(tool, run, okExitCodes, cancellationToken); // warm-up
        run.AfterWarmUp?.Invoke();
        var server = dovecot.CpuSeconds();
        var client = ProcFs.ReapedChildrenCpuSeconds();
        var watch = Stopwatch.StartNew();
        var failures = await RunToolAsync(tool, run, okExitCodes, cancellationToken);
        var wall = watch.Elapsed.TotalSeconds;
        return new Measurement($"{tool} (`{run.Display}`)", wall, ProcFs.ReapedChildrenCpuSeconds() - client, null, dovecot.CpuSeconds() - server, failures);
    }

    private static async Task<int> RunToolAsync(string tool, ToolRun run, int[] okExitCodes, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in run.Args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in run.Environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + tool);
        using var kill = cancellationToken.Register(() => process.Kill(entireProcessTree: true));
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        var output = (await stdout) + (await stderr);
        var failures = run.CountFailures(output);
        if (!okExitCodes.Contains(process.ExitCode) || failures > 0)
        {
            Console.Error.WriteLine($"{tool} exited with {process.ExitCode}, {failures} failures; output (first 2,000 characters):");
            Console.Error.WriteLine(output.Length > 2000 ? output[..2000] : output);
            return Math.Max(failures, 1);
        }

        return 0;
    }

    private static async Task<Measurement> MeasureAlarmInboxAsync(
        string root, string work, LoadDovecot dovecot, int size, int concurrency, bool keepSessions, CancellationToken cancellationToken)
    {
        string[] siloArgs =
        [
            $"--AlarmInbox:Polling:KeepSessions={(keepSessions ? "true" : "false")}",
            "--AlarmInbox:Polling:KeptSessionMaxInterval=01:00:00",
            "--AlarmInbox:Polling:StartupSpread=00:00:00",
        ];
        var data = Path.Combine(work, $"data-{size}-{(keepSessions ? "kept" : "reconnect")}");
        await using var host = await AlarmInboxHost.StartAsync(root, data, siloArgs, cancellationToken);
        var ids = await host.RegisterAsync(size, dovecot.Port, 3600, concurrency, cancellationToken);
        await CycleAsync(host, ids, concurrency, cancellationToken); // warm-up
        var server = dovecot.CpuSeconds();
        var silo = ProcFs.CpuSeconds(host.SiloPid);
        var api = ProcFs.CpuSeconds(host.ApiPid);
        var watch = Stopwatch.StartNew();
        var failures = await CycleAsync(host, ids, concurrency, cancellationToken);
        var wall = watch.Elapsed.TotalSeconds;
        var name = keepSessions ? "AlarmInbox, kept sessions" : "AlarmInbox, reconnecting (`KeepSessions=false`)";
        return new Measurement(name, wall, ProcFs.CpuSeconds(host.SiloPid) - silo, ProcFs.CpuSeconds(host.ApiPid) - api, dovecot.CpuSeconds() - server, failures);
    }

    private static async Task<int> CycleAsync(AlarmInboxHost host, string[] ids, int concurrency, CancellationToken cancellationToken)
    {
        var failures = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                if (!await host.PollAsync(i, ids[i], token))
                {
                    Interlocked.Increment(ref failures);
                }
            });
        if (failures > 0)
        {
            Console.Error.WriteLine($"{failures} of {ids.Length} AlarmInbox polls failed.");
        }

        return failures;
    }

    private static ToolRun WriteFetchmail(string dir, int port, int size)
    {
        // One server entry with a user clause per mailbox; fetchmail checks them one after another. sslproto is a user
        // option: the empty value keeps fetchmail from negotiating STARTTLS, like security "None" for AlarmInbox.
        var rc = new StringBuilder();
        rc.Append(CultureInfo.InvariantCulture, $"set no bouncemail\npoll 127.0.0.1 protocol IMAP port {port} auth password\n");
        for (var i = 0; i < size; i++)
        {
            rc.Append(CultureInfo.InvariantCulture, $"  user \"{LoadDovecot.User(i)}\" there with password \"{LoadDovecot.Password}\" is root here sslproto \"\"\n");
        }

        var home = Path.Combine(dir, "fetchmail");
        Directory.CreateDirectory(home);
        var file = Path.Combine(home, "fetchmailrc");
        File.WriteAllText(file, rc.ToString());
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite); // fetchmail refuses a readable rc file
        return new ToolRun("fetchmail -c", ["-c", "-f", file], new() { ["FETCHMAILHOME"] = home },
            output => output.Split('\n').Count(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("failed", StringComparison.OrdinalIgnoreCase)));
    }

    private static ToolRun WriteMbsync(string dir, int port, int size)
    {
        var home = Path.Combine(dir, "mbsync");
        var config = new StringBuilder();
        for (var i = 0; i < size; i++)
        {
            var near = Path.Combine(home, "near", i.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(near);
            config.Append(CultureInfo.InvariantCulture, $"""
                IMAPAccount a{i}
                Host 127.0.0.1
                Port {port}
                User {LoadDovecot.User(i)}
                Pass {LoadDovecot.Password}
                SSLType None
                AuthMechs LOGIN

                IMAPStore a{i}-far
                Account a{i}

                MaildirStore a{i}-near
                Path {near}/
                Inbox {near}/INBOX

                Channel a{i}
                Far :a{i}-far:
                Near :a{i}-near:
                Patterns INBOX
                Create Near
                Sync Pull
                Expunge None
                SyncState *


                """);
        }

        Directory.CreateDirectory(home);
        var file = Path.Combine(home, "mbsyncrc");
        File.WriteAllText(file, config.ToString());
        return new ToolRun("mbsync -a", ["-c", file, "-a", "-q"], new(),
            output => output.Split('\n').Count(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)),
            () => BackdateFolders(Path.Combine(home, "near")));
    }

    private static string Version(string tool, string arg)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(tool, arg) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return text.Split('\n').FirstOrDefault(l => l.Contains(tool, StringComparison.OrdinalIgnoreCase))?.Trim() ?? tool;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return tool + " (not found)";
        }
    }

    private static void BackdateFolders(string root)
    {
        // mbsync waits a second before reading a Maildir whose folders changed within the current second (timestamp
        // granularity); the warm-up has just written them, so date them back instead of timing that wait.
        var past = DateTime.UtcNow.AddMinutes(-1);
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
        {
            Directory.SetLastWriteTimeUtc(dir, past);
        }
    }

    private sealed record ToolRun(string Display, string[] Args, Dictionary<string, string> Environment, Func<string, int> CountFailures, Action? AfterWarmUp = null);

    private sealed record Measurement(string Client, double WallSeconds, double ClientCpu, double? ApiCpu, double ServerCpu, int Failures);
}
