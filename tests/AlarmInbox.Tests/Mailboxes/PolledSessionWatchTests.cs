using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reflection;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Grains.Telemetry;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Tests.Mailboxes;

/// <summary>
/// The silo's session service polling a kept session (<see cref="PollWatch"/>), without a silo: a scripted session, a
/// stand-in for the mailbox grain's callbacks, real time at short intervals.
/// </summary>
public sealed class PolledSessionWatchTests : IAsyncLifetime
{
    private const string MailboxId = "mbx-polled";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private long _pollsRecorded;
    private int _outOfContact;
    private MailboxMetrics _metrics = null!;
    private ImapIdleSessions _sessions = null!;
    private FakeMailbox _mailbox = null!;

    /// <summary>A session with UIDs 1–7 under UIDVALIDITY 1000, the mailbox's watermark at 7.</summary>
    private readonly ScriptedImapSession _session = new ScriptedImapSession { UidValidity = 1000 }.With(DateTimeOffset.UtcNow.AddHours(-1), 1, 2, 3, 4, 5, 6, 7);

    public Task InitializeAsync()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this test's meter (other tests' silos in the process have meters of the same name).
            if (instrument.Meter.Scope == _meters.GetRequiredService<IMeterFactory>()
                && instrument.Name is "alarminbox.mailbox.polls" or "alarminbox.mailboxes.out_of_contact")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _pollsRecorded, value));
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) => Volatile.Write(ref _outOfContact, value));
        _listener.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _sessions.DisposeAsync();
        _listener.Dispose();
        await _meters.DisposeAsync();
    }

    [Fact]
    public async Task EmptyRoundsAreNoopAndSearchAboveTheWatermarkAndCountAsPollsWithoutCallingTheGrain()
    {
        Start(heartbeat: TimeSpan.FromHours(1));
        Watch(interval: TimeSpan.FromMilliseconds(50));

        await Eventually.WaitForAsync(() => Task.FromResult(_session.Searches), n => n >= 5, Wait, "five poll rounds");
        var held = await _sessions.TakeAsync(MailboxId);

        Assert.Same(_session, held!.Session);
        Assert.Empty(_mailbox.Rounds);
        Assert.False(_session.Disposed);
        Assert.False(_sessions.IsWatching(MailboxId));
        var commands = _session.Commands.ToList();
        Assert.All(commands.Where(c => c.StartsWith("SEARCH", StringComparison.Ordinal)), c => Assert.Equal("SEARCH 7", c));
        Assert.Equal(commands.Count(c => c == "NOOP"), commands.Count(c => c.StartsWith("SEARCH", StringComparison.Ordinal)));
        Assert.Equal(_session.Searches, Interlocked.Read(ref _pollsRecorded));
    }

    [Fact]
    public async Task EmptyRoundsNeverCallTheGrainButMoveTheMailboxsOutOfContactDeadline()
    {
        // A heartbeat far shorter than the test: empty rounds still make no call.
        Start(heartbeat: TimeSpan.FromMilliseconds(100));
        var trackedAt = DateTimeOffset.UtcNow;
        _metrics.Track(MailboxId, MailboxState.Idle, contactDeadline: trackedAt + TimeSpan.FromMilliseconds(300));
        _metrics.Track("mbx-silent", MailboxState.Idle, contactDeadline: trackedAt - TimeSpan.FromSeconds(1));
        Watch(interval: TimeSpan.FromMilliseconds(20), contactWindow: TimeSpan.FromMinutes(10));

        // Rounds after the deadline tracked at the start: only they can have moved it.
        await Eventually.WaitForAsync(
            () => Task.FromResult(_sessions.LastRoundAt(MailboxId)), at => at > trackedAt + TimeSpan.FromMilliseconds(600), Wait, "a round well after the first deadline");
        _listener.RecordObservableInstruments();

        Assert.Empty(_mailbox.Rounds);
        Assert.Equal(1, Volatile.Read(ref _outOfContact));
        Assert.True(_sessions.IsPolling(MailboxId));
        Assert.False(_sessions.IsIdling(MailboxId));
        Assert.True(_session.Searches >= 5, $"{_session.Searches} rounds");
    }

    [Fact]
    public async Task AUidAboveTheWatermarkCallsTheGrainWhichTakesTheSessionBack()
    {
        Start(heartbeat: TimeSpan.FromHours(1));
        Watch(interval: TimeSpan.FromMilliseconds(50));
        await Eventually.WaitForAsync(() => Task.FromResult(_session.Searches), n => n >= 2, Wait, "two empty rounds");

        _session.With(DateTimeOffset.UtcNow, 8);
        var taken = await _mailbox.Taken.Task.WaitAsync(Wait);

        Assert.Same(_session, taken!.Session);
        Assert.Equal([true], _mailbox.Rounds);
        Assert.False(_sessions.IsWatching(MailboxId));
        Assert.False(_session.Disposed);
    }

    [Fact]
    public async Task AnotherUidValidityCountsAsAChange()
    {
        Start(heartbeat: TimeSpan.FromHours(1));
        _session.UidValidity = 1001;
        Watch(interval: TimeSpan.FromMilliseconds(50));

        var taken = await _mailbox.Taken.Task.WaitAsync(Wait);

        Assert.Same(_session, taken!.Session);
        Assert.Equal([true], _mailbox.Rounds);
    }

    [Fact]
    public async Task TakingTheSessionDuringTheWaitReturnsAtOnceWithoutARound()
    {
        Start(heartbeat: TimeSpan.FromHours(1));
        Watch(interval: TimeSpan.FromHours(1));

        var held = await _sessions.TakeAsync(MailboxId).WaitAsync(Wait);

        Assert.Same(_session, held!.Session);
        Assert.Equal(0, _session.Searches);
        Assert.False(_sessions.IsWatching(MailboxId));
    }

    [Fact]
    public async Task ASessionAtItsLifetimeIsClosedAtADueTimeAndTheGrainIsTold()
    {
        Start(heartbeat: TimeSpan.FromHours(1), lifetime: TimeSpan.FromMilliseconds(300));
        Watch(interval: TimeSpan.FromMilliseconds(50));

        var end = await _mailbox.Ended.Task.WaitAsync(Wait);

        Assert.Null(end.Code);
        Assert.True(_session.Disposed);
        Assert.False(_sessions.IsWatching(MailboxId));
        Assert.Empty(_mailbox.Rounds);
    }

    [Fact]
    public async Task AFailedNoopEndsTheSessionWithItsCode()
    {
        Start(heartbeat: TimeSpan.FromHours(1));
        _session.FailNoOpWith = MailboxErrorCodes.ConnectionLost;
        Watch(interval: TimeSpan.FromMilliseconds(50));

        var end = await _mailbox.Ended.Task.WaitAsync(Wait);

        Assert.Equal(MailboxErrorCodes.ConnectionLost, end.Code);
        Assert.Equal(0, end.Rounds);
        Assert.True(_session.Disposed);
        Assert.Equal(0, _session.Searches);
        Assert.Equal(0, Interlocked.Read(ref _pollsRecorded));
    }

    [Fact]
    public async Task WhenTheGrainFailsToTakeARoundTheSessionIsClosedAndItsEndReported()
    {
        Start(heartbeat: TimeSpan.FromHours(1));
        _mailbox.FailRounds = true;
        Watch(interval: TimeSpan.FromMilliseconds(50));

        _session.With(DateTimeOffset.UtcNow, 8);
        var end = await _mailbox.Ended.Task.WaitAsync(Wait);

        Assert.Equal([true], _mailbox.Rounds);
        Assert.Null(end.Code);
        Assert.True(_session.Disposed);
        Assert.False(_sessions.IsWatching(MailboxId));
    }

    private void Start(TimeSpan heartbeat, TimeSpan? lifetime = null)
    {
        var options = Options.Create(new PollingOptions { IdleHeartbeat = heartbeat, SessionLifetime = lifetime ?? TimeSpan.FromMinutes(45) });
        var factory = DispatchProxy.Create<IGrainFactory, GrainFactoryProxy>();
        _metrics = new MailboxMetrics(_meters.GetRequiredService<IMeterFactory>(), TimeProvider.System);
        _sessions = new ImapIdleSessions(factory, options, _metrics, TimeProvider.System, NullLogger<ImapIdleSessions>.Instance);
        _mailbox = new FakeMailbox(_sessions);
        ((GrainFactoryProxy)(object)factory).Grain = _mailbox;
    }

    private void Watch(TimeSpan interval, TimeSpan? contactWindow = null)
    {
        var now = DateTimeOffset.UtcNow;
        var poll = new PollWatch(interval, TimeSpan.Zero, new UidWatermark(1000, 7), now, contactWindow ?? TimeSpan.FromMinutes(3));
        _sessions.Watch(MailboxId, new HeldImapSession(_session, now), _session.Count, poll);
    }

    /// <summary>Stands in for the mailbox grain: records the rounds, takes the session on a change (as the grain's poll does), records the end.</summary>
    private sealed class FakeMailbox(ImapIdleSessions sessions) : IMailboxIdleEvents
    {
        public ConcurrentQueue<bool> Rounds { get; } = new();

        public TaskCompletionSource<HeldImapSession?> Taken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<IdleSessionEnd> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Every round call fails, as a call that timed out does.</summary>
        public bool FailRounds { get; set; }

        public async Task OnIdleRoundAsync(bool changed)
        {
            Rounds.Enqueue(changed);
            if (FailRounds)
            {
                throw new TimeoutException("The grain call timed out (scripted).");
            }

            if (changed)
            {
                Taken.TrySetResult(await sessions.TakeAsync(MailboxId));
            }
        }

        public Task OnIdleSessionEndedAsync(IdleSessionEnd end)
        {
            Ended.TrySetResult(end);
            return Task.CompletedTask;
        }
    }
}
