using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Operations;

/// <summary>
/// <c>scripts/install.sh --root DIR --no-build</c> into a throwaway folder (the same layout as on a server, below DIR),
/// and the installed silo and API started with <c>DIR/opt/alarminbox/bin/alarminbox-run</c> as the service user, on free
/// ports. Needs root (useradd, setpriv), as the install itself does.
/// </summary>
public sealed partial class InstalledProduct : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private readonly List<Process> _processes = [];

    private InstalledProduct(string root) => Root = root;

    /// <summary>The folder the product is installed below.</summary>
    public string Root { get; }

    /// <summary>Programs: <c>DIR/opt/alarminbox</c>.</summary>
    public string Prefix => Path.Combine(Root, "opt", "alarminbox");

    /// <summary>The settings file.</summary>
    public string EnvFile => Path.Combine(Root, "etc", "alarminbox", "alarminbox.env");

    /// <summary>The data folder.</summary>
    public string DataDirectory => Path.Combine(Root, "var", "lib", "alarminbox");

    /// <summary>The folder of the systemd units.</summary>
    public string UnitDirectory => Path.Combine(Root, "etc", "systemd", "system");

    /// <summary>The API's port.</summary>
    public int ApiPort { get; } = FreePort.Next();

    /// <summary>The silo's /metrics and /health port.</summary>
    public int SiloHttpPort { get; } = FreePort.Next();

    /// <summary>The silo's SMTP port.</summary>
    public int SmtpPort { get; } = FreePort.Next();

    /// <summary>Runs the install script into a new folder and gives the copy its own ports.</summary>
    public static async Task<InstalledProduct> InstallAsync()
    {
        var product = new InstalledProduct(Path.Combine(Path.GetTempPath(), "ai-install-" + Guid.NewGuid().ToString("N")[..8]));
        var result = await product.RunScriptAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        var gateway = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        // What an operator would do: change the settings file (the later line wins, in systemd and in the shell).
        await File.AppendAllLinesAsync(product.EnvFile,
        [
            $"ALARMINBOX_SILO_URLS=http://127.0.0.1:{product.SiloHttpPort}",
            $"ALARMINBOX_API_URLS=https://127.0.0.1:{product.ApiPort}",
            $"AlarmInbox__Silo__SiloPort={FreePort.Next()}",
            $"AlarmInbox__Silo__GatewayPort={gateway}",
            $"AlarmInbox__Cluster__GatewayPort={gateway}",
            $"AlarmInbox__Smtp__Port={product.SmtpPort}",
            "AlarmInbox__Smtp__BindAddress=127.0.0.1",
        ]);
        return product;
    }

    /// <summary>Runs <c>scripts/install.sh --root DIR --no-build</c> with more options.</summary>
    public Task<CommandResult> RunScriptAsync(params string[] options) =>
        CommandResult.RunAsync(Path.Combine(RepoPaths.Root, "scripts", "install.sh"), ["--root", Root, "--no-build", .. options]);

    /// <summary>The value of a setting in the settings file (the last line that sets it).</summary>
    public string Setting(string name) =>
        File.ReadAllLines(EnvFile).Where(l => l.StartsWith(name + "=", StringComparison.Ordinal)).Select(l => l[(name.Length + 1)..]).Last();

    /// <summary>Starts <c>alarminbox-run silo|api</c>; output goes to <c>DIR/&lt;program&gt;.log</c>.</summary>
    public Process Start(string program)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$LOGFILE\" 2>&1");
        info.ArgumentList.Add(Path.Combine(Prefix, "bin", "alarminbox-run"));
        info.ArgumentList.Add(program);
        info.Environment["LOGFILE"] = LogPath(program);
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start alarminbox-run " + program);
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs <c>alarminbox-run backup|restore ...</c> to the end.</summary>
    public Task<CommandResult> RunAsync(params string[] arguments) =>
        CommandResult.RunAsync(Path.Combine(Prefix, "bin", "alarminbox-run"), arguments);

    /// <summary>The log file of a started program.</summary>
    public string LogPath(string program) => Path.Combine(Root, program + ".log");

    /// <summary>The end of a program's log, for failure messages.</summary>
    public string LogTail(string program) =>
        File.Exists(LogPath(program)) ? string.Join('\n', File.ReadAllLines(LogPath(program)).TakeLast(30)) : "(no log)";

    /// <summary>Stops the started programs (SIGTERM, as systemctl stop does) and waits for them.</summary>
    public async Task StopAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes).Where(p => !p.HasExited))
        {
            _ = Kill(process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                _ = Kill(process.Id, SigKill);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        Directory.Delete(Root, recursive: true);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
