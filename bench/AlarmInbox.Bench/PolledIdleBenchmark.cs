using System.Diagnostics;
using System.Globalization;

namespace AlarmInbox.Bench;

/// <summary>
/// <c>idle --polled N --interval S</c> (issue 15): the marginal silo CPU of one timer poll that finds nothing new. N
/// mailboxes against a Dovecot of their own, polled every S seconds on kept sessions (NOOP + UID SEARCH); windows in
/// which they poll alternate with windows in which the same mailboxes are paused (same process, same activations, no
/// timers), in alternating order. Per poll: (silo CPU while polling − silo CPU while paused) ÷ polls counted by the
/// silo's poll counter. A fresh silo compiles its poll path for minutes (tiered JIT), hence the warm-up.
/// </summary>
public static class PolledIdleBenchmark
{
    /// <summary>
    /// After <paramref name="warmupSeconds"/> of polling, runs <paramref name="rounds"/> pairs of windows of
    /// <paramref name="seconds"/> each, <paramref name="settleSeconds"/> after pausing and one interval plus that after resuming.
    /// </summary>
    /// <returns>0, or 2 when a poll failed.</returns>
    public static async Task<int> RunAsync(int mailboxes, int intervalSeconds, int rounds, int seconds, int settleSeconds, int warmupSeconds, IReadOnlyList<string> siloArgs, CancellationToken cancellationToken)
    {
        if (mailboxes < 1 || intervalSeconds < 10 || rounds < 1 || seconds < 1)
        {
            throw new ArgumentException("idle --polled: N ≥ 1, --interval ≥ 10 (the API's minimum), --rounds ≥ 1, --seconds ≥ 1.");
        }

        var root = BenchEnvironment.FindRoot();
        var work = ScaleRun.CreateWorkFolder("ai-polled-");
        try
        {
            await using var dovecot = await LoadDovecot.StartAsync(root, Path.Combine(work, "imap"), mailboxes + 100, cancellationToken);
            await dovecot.CreateUsersAsync(mailboxes, cancellationToken);
            await using var host = await AlarmInboxHost.StartAsync(root, Path.Combine(work, "data"), siloArgs, cancellationToken);
            var ids = await host.RegisterAsync(mailboxes, dovecot.Port, intervalSeconds, 16, cancellationToken);
            Console.WriteLine($"{mailboxes} mailboxes registered, polled every {intervalSeconds} s, silo settings [{string.Join(' ', siloArgs)}]; warming up {Math.Max(intervalSeconds + settleSeconds, warmupSeconds)} s");

            // At least one full interval first: every mailbox has polled on its own timer and keeps its session; and
            // the poll path has been called often enough for the JIT to have compiled it at tier 1.
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(intervalSeconds + settleSeconds, warmupSeconds)), cancellationToken);
            var rows = new List<(double Polled, double Paused, double Polls, double Dovecot)>();
            var failed = 0.0;
            for (var round = 1; round <= rounds; round++)
            {
                // Odd rounds measure the polling window first, even rounds the paused one, so that a drift (the JIT
                // settling, load from other processes) does not always favour the same window.
                var polledFirst = round % 2 == 1;
                (double Percent, double Polls, double Errors, double Dovecot) polled = default, paused = default;
                if (polledFirst)
                {
                    polled = await MeasureAsync(host, dovecot, seconds, cancellationToken);
                }

                await SetPausedAsync(host, ids, paused: true, cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(settleSeconds), cancellationToken);
                paused = await MeasureAsync(host, dovecot, seconds, cancellationToken);
                await SetPausedAsync(host, ids, paused: false, cancellationToken);

                // A resumed mailbox logs in again at once: wait one interval so that the next window sees kept sessions only.
                await Task.Delay(TimeSpan.FromSeconds(intervalSeconds + settleSeconds), cancellationToken);
                if (!polledFirst)
                {
                    polled = await MeasureAsync(host, dovecot, seconds, cancellationToken);
                }

                failed += polled.Errors;
                rows.Add((polled.Percent, paused.Percent, polled.Polls, polled.Dovecot));
                var perPoll = PerPollMs(polled.Percent, paused.Percent, polled.Polls, seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: polling {polled.Percent:0.00} % of a core ({polled.Polls:0} polls, {polled.Errors:0} failed), paused {paused.Percent:0.00} % ({paused.Polls:0} polls); {perPoll:0.000} ms silo CPU per poll; load average {LoadAverage()}"));
            }

            Console.WriteLine();
            Console.WriteLine($"| {mailboxes} mailboxes, every {intervalSeconds} s | silo, polling | silo, paused | polls | silo CPU per poll | Dovecot CPU per poll |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            for (var i = 0; i < rows.Count; i++)
            {
                var r = rows[i];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| round {i + 1} | {r.Polled:0.00} % | {r.Paused:0.00} % | {r.Polls:0} | {PerPollMs(r.Polled, r.Paused, r.Polls, seconds):0.000} ms | {r.Dovecot / 100 * seconds * 1000 / Math.Max(1, r.Polls):0.000} ms |"));
            }

            var perPolls = rows.Select(r => PerPollMs(r.Polled, r.Paused, r.Polls, seconds)).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| median | | | | {perPolls[perPolls.Count / 2]:0.000} ms | |"));
            if (failed > 0)
            {
                Console.Error.WriteLine($"!!! {failed:0} polls FAILED during the measurement !!!");
                return 2;
            }

            return 0;
        }
        finally
        {
            ScaleRun.DeleteWorkFolder(work);
        }
    }

    private static double PerPollMs(double polledPercent, double pausedPercent, double polls, int seconds) =>
        polls <= 0 ? double.NaN : (polledPercent - pausedPercent) / 100 * seconds * 1000 / polls;

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <summary>Silo and Dovecot CPU (% of a core) and the silo's polls (succeeded, failed) over one window.</summary>
    private static async Task<(double SiloPercent, double Polls, double Errors, double DovecotPercent)> MeasureAsync(
        AlarmInboxHost host, LoadDovecot dovecot, int seconds, CancellationToken cancellationToken)
    {
        var (success0, error0) = await host.PollCountersAsync(cancellationToken);
        var silo0 = ProcFs.CpuSeconds(host.SiloPid);
        var dovecot0 = dovecot.CpuSeconds();
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        var silo1 = ProcFs.CpuSeconds(host.SiloPid);
        var dovecot1 = dovecot.CpuSeconds();
        var elapsed = watch.Elapsed.TotalSeconds;
        var (success1, error1) = await host.PollCountersAsync(cancellationToken);
        return ((silo1 - silo0) / elapsed * 100, success1 - success0, error1 - error0, (dovecot1 - dovecot0) / elapsed * 100);
    }

    private static async Task SetPausedAsync(AlarmInboxHost host, string[] ids, bool paused, CancellationToken cancellationToken)
    {
        var verb = paused ? "pause" : "resume";
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                using var response = await host.Http.PostAsync($"/api/tenants/{AlarmInboxHost.Tenant(i)}/mailboxes/{ids[i]}/{verb}", null, token);
                response.EnsureSuccessStatusCode();
            });
    }
}
