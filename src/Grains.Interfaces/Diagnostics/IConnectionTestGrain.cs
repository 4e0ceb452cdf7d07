using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Interfaces.Diagnostics;

/// <summary>Tests settings that are not stored (a stateless worker; use key 0). Nothing is stored and no mailbox is changed.</summary>
[Alias("alarminbox.IConnectionTestGrain")]
public interface IConnectionTestGrain : IGrainWithIntegerKey
{
    /// <summary>Runs the connection test on <paramref name="settings"/> (with their secrets). Takes at most about 25 s.</summary>
    /// <returns>Each step with outcome, duration and, on failure, code, message and hint.</returns>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("TestAsync")]
    Task<ConnectionTestResult> TestAsync(MailboxSettings settings);
}
