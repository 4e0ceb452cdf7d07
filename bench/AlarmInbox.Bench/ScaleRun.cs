using System.Diagnostics;
using System.Globalization;

namespace AlarmInbox.Bench;

/// <summary>Helpers shared by the <c>load</c> and <c>compare</c> subcommands.</summary>
public static class ScaleRun
{
    /// <summary>A fresh temporary folder that Dovecot's unprivileged processes can enter.</summary>
    public static string CreateWorkFolder(string prefix)
    {
        var work = Directory.CreateTempSubdirectory(prefix).FullName;
        File.SetUnixFileMode(work, (UnixFileMode)Convert.ToInt32("755", 8));
        return work;
    }

    /// <summary>Deletes a work folder; a failure is reported, not thrown (this runs in finally blocks).</summary>
    public static void DeleteWorkFolder(string work)
    {
        try
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not delete {work}: {ex.Message}");
        }
    }

    /// <summary>Memory and load average of the machine, for the report header.</summary>
    public static string MachineLine()
    {
        var memKiB = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        return string.Create(CultureInfo.InvariantCulture,
            $"{long.Parse(memKiB, CultureInfo.InvariantCulture) / 1024 / 1024.0:0.0} GiB RAM, load average at start {string.Join(' ', load)}");
    }

    /// <summary>The checked-out commit (short), or "unknown".</summary>
    public static string Commit()
    {
        try
        {
            var info = new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = BenchEnvironment.FindRoot() };
            using var git = Process.Start(info)!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
