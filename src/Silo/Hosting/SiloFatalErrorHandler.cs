using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Silo.Hosting;

/// <summary>
/// Replaces Orleans' fatal error handler, which ends the process with <see cref="Environment.FailFast(string)"/> (a
/// crash with a core dump) when the silo is declared dead by the cluster or a membership loop fails. This one logs
/// the reason, sets the exit code <see cref="ExitCode"/> (75, <c>EX_TEMPFAIL</c>: "try again") and stops the host, so
/// the process ends cleanly and its supervisor (systemd <c>Restart=on-failure</c>, Kubernetes) starts a new silo. If
/// the stop does not finish within <see cref="StopDeadline"/>, the process exits with that code anyway.
/// </summary>
public sealed partial class SiloFatalErrorHandler(IHostApplicationLifetime lifetime, ILogger<SiloFatalErrorHandler> logger) : IFatalErrorHandler
{
    /// <summary>The exit code after a fatal error (75, <c>EX_TEMPFAIL</c> of sysexits.h).</summary>
    public const int ExitCode = 75;

    /// <summary>How long the orderly stop may take before the process exits regardless.</summary>
    public static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(60);

    private int _handled;

    /// <inheritdoc />
    public bool IsUnexpected(Exception exception) => exception is not ThreadInterruptedException;

    /// <inheritdoc />
    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _handled, 1) == 1)
        {
            return;
        }

        LogFatal(logger, sender?.GetType().Name ?? "(none)", context ?? "(none)", exception?.GetType().Name ?? "(none)");
        Environment.ExitCode = ExitCode;
        lifetime.StopApplication();
        _ = Task.Run(async () =>
        {
            await Task.Delay(StopDeadline);
            Environment.Exit(ExitCode);
        });
    }

    [LoggerMessage(EventId = 4120, Level = LogLevel.Critical, Message = "Fatal: {Sender} reported '{Context}' ({ExceptionType}); the silo stops and the process exits with code 75 for its supervisor to restart it")]
    private static partial void LogFatal(ILogger logger, string sender, string context, string exceptionType);
}
