using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A real silo process (<c>dotnet src/Silo/bin/&lt;Configuration&gt;/net10.0/AlarmInbox.Silo.dll</c>, the configuration
/// this test assembly was built in) in cluster mode on PostgreSQL, on free ports, with its output in a log file.
/// It can be crashed (<c>SIGKILL</c>), frozen (<c>SIGSTOP</c>/<c>SIGCONT</c>) or stopped gracefully (<c>SIGTERM</c>).
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Process _process;

    private SiloProcess(string name, Process process, int httpPort, int siloPort, string logPath)
    {
        Name = name;
        SiloPort = siloPort;
        _process = process;
        HttpPort = httpPort;
        LogPath = logPath;
    }

    /// <summary>A name for messages (silo1, silo2).</summary>
    public string Name { get; }

    /// <summary>The silo-to-silo port (part of its silo address).</summary>
    public int SiloPort { get; }

    /// <summary>The port of <c>/metrics</c> and <c>/health</c>.</summary>
    public int HttpPort { get; }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>stdout and stderr of the process.</summary>
    public string LogPath { get; }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The silo dll of the configuration these tests were built in.</summary>
    public static string SiloDll
    {
        get
        {
            // AppContext.BaseDirectory is tests/AlarmInbox.Tests/bin/<Configuration>/net10.0/
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
            return Path.Combine(RepoPaths.Root, "src", "Silo", "bin", configuration, "net10.0", "AlarmInbox.Silo.dll");
        }
    }

    /// <summary>Starts a silo; it joins the cluster of the database <paramref name="connectionString"/>.</summary>
    /// <param name="name">A name for messages and the log file.</param>
    /// <param name="connectionString">The cluster database.</param>
    /// <param name="directory">A folder shared by the silos of one test: key ring and logs.</param>
    /// <param name="extra">More <c>key=value</c> settings.</param>
    public static SiloProcess Start(string name, string connectionString, string directory, IReadOnlyDictionary<string, string>? extra = null)
    {
        Directory.CreateDirectory(directory);
        var httpPort = FreePort.Next();
        var siloPort = FreePort.Next();
        var settings = new Dictionary<string, string>
        {
            ["AlarmInbox:Storage:Provider"] = "PostgreSql",
            ["AlarmInbox:Storage:ConnectionString"] = connectionString,
            ["AlarmInbox:Storage:DataDirectory"] = Path.Combine(directory, name),
            ["AlarmInbox:Storage:KeyDirectory"] = Path.Combine(directory, "keys"),
            ["AlarmInbox:Silo:AdvertisedAddress"] = "127.0.0.1",
            ["AlarmInbox:Silo:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["AlarmInbox:Silo:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["AlarmInbox:Polling:StartupSpread"] = "00:00:01",
            ["AlarmInbox:Smtp:Enabled"] = "false",
            // Dovecot and the webhook receivers of the tests are on 127.0.0.1 (docs/security.md, "Outbound connections").
            ["AlarmInbox:Egress:AllowLoopback"] = "true",
            ["Logging:LogLevel:Orleans.Runtime.MembershipService"] = "Information",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var logPath = Path.Combine(directory, name + ".log");
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$LOGFILE\" 2>&1");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(SiloDll);
        info.ArgumentList.Add("--contentRoot");
        info.ArgumentList.Add(Path.GetDirectoryName(SiloDll)!);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{httpPort}");
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        info.Environment["LOGFILE"] = logPath;
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + SiloDll);
        return new SiloProcess(name, process, httpPort, siloPort, logPath);
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (the silo is active and its storage answers).</summary>
    /// <exception cref="TimeoutException">Not ready in time, or the process exited; the message has the end of its log.</exception>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new TimeoutException($"{Name} exited with {_process.ExitCode}. Warnings and errors:\n{LogProblems()}\nLog:\n{LogTail()}");
            }

            if (await IsReadyAsync())
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException($"{Name} was not ready after {timeout.TotalSeconds:0} s. Log:\n{LogTail()}");
    }

    /// <summary>Whether <c>/health/ready</c> answers 200 now.</summary>
    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/health/ready"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>GETs a path of the silo's HTTP port (such as <c>/metrics</c>).</summary>
    public Task<string> GetAsync(string path) => Http.GetStringAsync(new Uri($"http://127.0.0.1:{HttpPort}{path}"));

    /// <summary>Crashes the process: <c>kill -9</c>.</summary>
    public async Task KillAsync()
    {
        Signal(SigKill);
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// Freezes the process (<c>SIGSTOP</c>): it keeps its sockets but answers nothing, like a partition or a long GC pause.
    /// Returns once every thread of the process shows the stopped state in <c>/proc</c> (the signal is delivered
    /// asynchronously; a thread running on the other core could otherwise still answer a request sent right after).
    /// </summary>
    public void Freeze()
    {
        Signal(SigStop);
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        while (!AllThreadsStopped() && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Yield();
        }
    }

    private bool AllThreadsStopped()
    {
        try
        {
            return Directory.GetDirectories($"/proc/{_process.Id}/task").All(task =>
            {
                // Field 3 of stat, after the command name in parentheses: T = stopped, t = traced.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart()[0];
                return state is 'T' or 't';
            });
        }
        catch (IOException)
        {
            return false; // a thread ended while being read: look again
        }
    }

    /// <summary>Lets a frozen process run again (<c>SIGCONT</c>).</summary>
    public void Thaw() => Signal(SigCont);

    /// <summary>Stops the process gracefully (<c>SIGTERM</c>) and waits for it to exit.</summary>
    /// <returns>The exit code.</returns>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Signal(SigTerm);
        }

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits for the process to exit by itself.</summary>
    /// <returns>The exit code.</returns>
    /// <exception cref="OperationCanceledException">It did not exit within <paramref name="timeout"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>The whole log so far.</summary>
    public string Log() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    /// <summary>The last lines of the log, for failure messages.</summary>
    public string LogTail(int lines = 40) =>
        File.Exists(LogPath) ? string.Join('\n', File.ReadAllLines(LogPath).TakeLast(lines)) : "(no log)";

    /// <summary>The log's warnings and errors with their first message line (at most 60 of them), for failure messages: the tail of a crashed silo's log is mostly its stack trace.</summary>
    public string LogProblems() =>
        LogEntries(header => header.StartsWith("warn:", StringComparison.Ordinal) || header.StartsWith("fail:", StringComparison.Ordinal) || header.StartsWith("crit:", StringComparison.Ordinal), 60);

    /// <summary>The last <paramref name="max"/> log entries (header line and first message line) whose category contains <paramref name="category"/>.</summary>
    public string LogEntries(string category, int max) =>
        LogEntries(header => header.Contains(category, StringComparison.Ordinal), max, last: true);

    private string LogEntries(Func<string, bool> header, int max, bool last = false)
    {
        if (!File.Exists(LogPath))
        {
            return "(no log)";
        }

        var lines = File.ReadAllLines(LogPath);
        var entries = lines
            .Select((line, i) => (line, i))
            .Where(l => !l.line.StartsWith(' ') && header(l.line))
            .Select(l => l.i + 1 < lines.Length ? l.line + " " + lines[l.i + 1].Trim() : l.line);
        return string.Join('\n', last ? entries.TakeLast(max) : entries.Take(max));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(SigCont);
            Signal(SigKill);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
