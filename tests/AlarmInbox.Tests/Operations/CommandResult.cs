using System.Diagnostics;

namespace AlarmInbox.Tests.Operations;

/// <summary>Exit code and output of a command, for tests that check what a tool printed (unlike <c>ProcessRunner</c>, which throws on failure).</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Output">stdout.</param>
/// <param name="Error">stderr.</param>
public sealed record CommandResult(int ExitCode, string Output, string Error)
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/> (at most 5 minutes).</summary>
    public static async Task<CommandResult> RunAsync(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + fileName);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A message for failed assertions.</summary>
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
