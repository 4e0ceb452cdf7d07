using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlarmInbox.Tests.Mailboxes;

/// <summary>A silo that dies between the durable writes of a poll loses and duplicates nothing.</summary>
public sealed class CrashPointTests : IAsyncLifetime
{
    private readonly DovecotServer _imap = new();

    public Task InitializeAsync() => _imap.InitializeAsync();

    public Task DisposeAsync() => _imap.DisposeAsync();

    [Theory]
    [InlineData(PollStep.MessagesStored)]
    [InlineData(PollStep.WatermarkStored)]
    public async Task CrashAfterAStepLosesNothingAndDuplicatesNothing(PollStep crashAt)
    {
        var user = await _imap.CreateUserAsync();
        var crash = new CrashingObserver();
        await using var silo = await TestSilo.StartAsync(
            settings: new() { ["AlarmInbox:Imap:FetchBatchSize"] = "10" },
            services: s => s.AddSingleton<IPollStepObserver>(crash));
        var tenant = silo.Grains.GetGrain<ITenantGrain>("ff-crash");
        await tenant.CreateAsync("Feuerwehr Absturz");
        var created = (await tenant.CreateMailboxAsync(
            new MailboxSettings
            {
                DisplayName = "Alarm",
                Host = _imap.Host,
                Port = _imap.ImapPort,
                Security = MailboxSecurity.None,
                Username = user,
                Password = "geheim",
                UseIdle = false,
            },
            backfill: 0)).Value!;
        var mailboxId = created!.Config.Id;
        var uids = await _imap.AppendAsync(user, Enumerable.Range(1, 25).Select(i => DovecotServer.Mail($"Einsatz {i}")).ToList());

        // The second batch (UIDs 11-20) dies right after the chosen write, as if the process had been killed.
        crash.Arm(crashAt, afterOccurrences: crashAt == PollStep.MessagesStored ? 1 : 1);
        await Assert.ThrowsAnyAsync<Exception>(() => silo.Grains.GetGrain<IMailboxGrain>(mailboxId).PollNowAsync());
        await silo.RestartAsync();
        var mailbox = silo.Grains.GetGrain<IMailboxGrain>(mailboxId);
        var poll = await mailbox.PollNowAsync();
        var messages = await mailbox.GetMessagesAsync(100);
        var details = await mailbox.GetAsync();

        Assert.True(poll!.Succeeded);
        Assert.Equal(uids.OrderDescending(), messages!.Select(m => m.Uid));
        Assert.Equal(25, details!.Status.MessagesFetched);
        Assert.Equal(uids[^1], details.Status.Watermark.LastUid);
    }

    private sealed class SimulatedCrashException(PollStep step) : Exception($"Simulated crash after {step}.");

    private sealed class CrashingObserver : IPollStepObserver
    {
        private PollStep? _step;
        private int _skip;

        public void Arm(PollStep step, int afterOccurrences)
        {
            _skip = afterOccurrences;
            _step = step;
        }

        public ValueTask OnStepAsync(string mailboxId, PollStep step)
        {
            if (_step == step)
            {
                if (_skip-- == 0)
                {
                    _step = null;
                    throw new SimulatedCrashException(step);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
