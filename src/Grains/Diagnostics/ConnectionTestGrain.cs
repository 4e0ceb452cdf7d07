using AlarmInbox.Grains.Interfaces.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace AlarmInbox.Grains.Diagnostics;

/// <summary>Runs connection tests of unsaved settings on any silo, several at once (a stateless worker).</summary>
[StatelessWorker]
[GrainType("connection-test")]
public sealed class ConnectionTestGrain(ConnectionTester tester, IOptions<PollingOptions> polling) : Grain, IConnectionTestGrain
{
    /// <inheritdoc />
    public async Task<ConnectionTestResult> TestAsync(MailboxSettings settings)
    {
        using var timeout = new CancellationTokenSource(polling.Value.PollTimeout);
        return await tester.RunAsync(settings, requireCredential: true, recentlyConfigured: false, timeout.Token);
    }
}
