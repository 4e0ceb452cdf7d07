using System.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Diagnostics;

/// <summary>The steps of one connection test run, in the order of <c>stepNames</c>; steps not run are reported as skipped.</summary>
internal sealed class ConnectionTestRun(IReadOnlyList<string> stepNames, CancellationToken cancellationToken)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<ConnectionTestStep> _steps = [];
    private bool _failed;

    /// <summary>The mailbox's Entra ID host (<c>office365.authorityHost</c>), named by hints that point at it.</summary>
    public string? AuthorityHost { get; set; }

    public void Pass(string name, double durationMs, string message) =>
        _steps.Add(new ConnectionTestStep { Name = name, Outcome = ConnectionTestOutcome.Passed, DurationMs = Math.Round(durationMs, 1), Message = message });

    public void Skip(string name, string message) =>
        _steps.Add(new ConnectionTestStep { Name = name, Outcome = ConnectionTestOutcome.Skipped, Message = message });

    public void Fail(string name, double durationMs, string code, string message)
    {
        _failed = true;
        _steps.Add(new ConnectionTestStep
        {
            Name = name, Outcome = ConnectionTestOutcome.Failed, DurationMs = Math.Round(durationMs, 1), Code = code, Message = message, Hint = MailboxErrorHints.For(code, AuthorityHost),
        });
    }

    /// <summary>Runs one step; returns whether it passed. Failures are classified by <paramref name="classify"/> (<see langword="null"/>: unexpected).</summary>
    /// <param name="name">The step.</param>
    /// <param name="action">The step's work; returns the message of a passed step.</param>
    /// <param name="classify">Turns a failure into a code and message.</param>
    /// <param name="skippedWhenPassed">When set, a step whose checks passed is reported as skipped with this reason (it had nothing of its own to do).</param>
    public async Task<bool> StepAsync(string name, Func<CancellationToken, Task<string>> action, Func<Exception, MailboxAccessException?> classify, string? skippedWhenPassed = null)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var message = await action(cancellationToken);
            if (skippedWhenPassed is not null)
            {
                Skip(name, skippedWhenPassed);
            }
            else
            {
                Pass(name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, message);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The I/O edge of a diagnostic: every failure, including a timeout, becomes this step's result.
            var error = classify(ex) ?? new MailboxAccessException(MailboxErrorCodes.Unexpected, $"{name} failed: {ex.GetType().Name}: {ex.Message}", ex);
            if (cancellationToken.IsCancellationRequested)
            {
                error = new MailboxAccessException(MailboxErrorCodes.Timeout, $"The connection test ran out of time during step {name}.", ex);
            }

            Fail(name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, error.Code, error.Message);
            return false;
        }
    }

    public ConnectionTestResult Finish(IReadOnlyDictionary<string, string[]>? fieldErrors = null)
    {
        foreach (var name in stepNames.Where(n => _steps.TrueForAll(s => s.Name != n)))
        {
            Skip(name, "Not run: an earlier step failed.");
        }

        return new ConnectionTestResult
        {
            Succeeded = !_failed,
            DurationMs = Math.Round(Stopwatch.GetElapsedTime(_started).TotalMilliseconds, 1),
            Steps = stepNames.Select(n => _steps.First(s => s.Name == n)).ToList(),
            FieldErrors = fieldErrors,
        };
    }
}
