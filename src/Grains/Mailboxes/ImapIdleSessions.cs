using System.Collections.Concurrent;
using System.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// Owns the IDLE sessions (RFC 2177) of the mailboxes active on this silo, outside the grains: a mailbox grain hands
/// over its open session after a sync (<see cref="Watch"/>); a background loop here sends IDLE, ends it every
/// <see cref="PollingOptions.IdleHeartbeat"/> (the server's answer to DONE proves the connection is alive) or when the
/// server reports a change, and then tells the grain with an ordinary grain call (<see cref="IMailboxIdleEvents"/>). The
/// grain takes the session back whenever it wants to use it (<see cref="TakeAsync"/>), so a session is always used by one
/// side at a time, and the grain handles one call at a time with no locks of its own.
/// <para>
/// It also polls the kept sessions of polled mailboxes (<see cref="PollWatch"/>, when
/// <see cref="PollingOptions.WatchKeptSessions"/> is on): a poll that finds nothing new is then a NOOP and a UID SEARCH
/// here, with no grain turn and no grain timer tick; the grain is called only when a UID above its watermark appears or
/// the session ends. An empty round moves the mailbox's out-of-contact deadline in <see cref="MailboxMetrics"/>; the
/// grain reads the last round's time (<see cref="LastRoundAt"/>) at its watchdog reminder's tick.
/// </para>
/// </summary>
/// <remarks>
/// One instance per silo (a singleton). A session that fails or is ended by the server is closed here and reported with
/// <see cref="IMailboxIdleEvents.OnIdleSessionEndedAsync"/>; reconnecting is the grain's decision. Thread-safe.
/// </remarks>
public sealed partial class ImapIdleSessions(
    IGrainFactory grains, IOptions<PollingOptions> options, MailboxMetrics metrics, TimeProvider time, ILogger<ImapIdleSessions> logger)
    : IAsyncDisposable
{
    /// <summary>A round released by the ticker up to this early runs at once instead of costing another wake-up (timers fire by a coarse clock).</summary>
    private static readonly TimeSpan TickTolerance = TimeSpan.FromMilliseconds(15);

    private readonly PollingOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Entry> _watches = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();

    // The polled sessions' next rounds, released by one timer for all of them: rounds due at one grid point start
    // together, and the silo holds one timer for its polled sessions instead of one each.
    private readonly Lock _dueGate = new();
    private readonly SortedSet<DueRound> _dueRounds = new(DueRound.ByDue);
    private ITimer? _ticker;
    private long _tickerDueTicks = long.MaxValue;
    private long _roundSequence;

    // The ticker's schedule runs on the monotonic clock, so that a step of the wall clock (NTP, a resumed VM) cannot
    // hold rounds back: the grid decides the wait by the wall clock, the wait is capped at one interval and slot.
    private readonly long _origin = time.GetTimestamp();

    /// <summary>How many sessions this silo holds (in IDLE or polled).</summary>
    public int Count => _watches.Count;

    /// <summary>Whether this silo holds a session for <paramref name="mailboxId"/>, in IDLE or polled.</summary>
    public bool IsWatching(string mailboxId) => _watches.ContainsKey(mailboxId);

    /// <summary>Whether this silo holds a session for <paramref name="mailboxId"/> in IDLE (RFC 2177), not polled.</summary>
    public bool IsIdling(string mailboxId) => _watches.TryGetValue(mailboxId, out var watch) && watch.Poll is null;

    /// <summary>Whether this silo polls a kept session for <paramref name="mailboxId"/> (<see cref="PollWatch"/>).</summary>
    public bool IsPolling(string mailboxId) => _watches.TryGetValue(mailboxId, out var watch) && watch.Poll is not null;

    /// <summary>When the last poll round of <paramref name="mailboxId"/>'s polled session here ended with the server's answer; <see langword="null"/> when none has.</summary>
    public DateTimeOffset? LastRoundAt(string mailboxId) => _watches.TryGetValue(mailboxId, out var watch) ? LastRoundOf(watch) : null;

    /// <summary>
    /// Takes over <paramref name="held"/> and keeps it in IDLE (or, with <paramref name="poll"/>, polls it) until the
    /// grain takes it back, the server ends it, or it reaches <see cref="PollingOptions.SessionLifetime"/>.
    /// </summary>
    /// <param name="mailboxId">The mailbox grain's key.</param>
    /// <param name="held">A session on which the mailbox has just synced; it belongs to this service from now on.</param>
    /// <param name="syncedCount">The folder's message count the sync saw: a different count on the session means a change arrived meanwhile.</param>
    /// <param name="poll">Poll the session on the grid instead of IDLE; <see langword="null"/>: IDLE.</param>
    public void Watch(string mailboxId, HeldImapSession held, int syncedCount, PollWatch? poll = null)
    {
        ArgumentNullException.ThrowIfNull(held);
        var watch = new Entry(mailboxId, held, syncedCount, poll);
        if (_watches.TryGetValue(mailboxId, out var previous))
        {
            // Never two sessions for one mailbox: the older one is closed.
            _ = CloseAsync(previous);
        }

        _watches[mailboxId] = watch;
        // On the thread pool, never on the calling grain's scheduler.
        watch.Loop = Task.Run(() => RunAsync(watch));
    }

    /// <summary>
    /// Takes the mailbox's session back: ends IDLE (DONE, and the server's answer) and returns the session, which then
    /// belongs to the caller. Returns at once when the session waits for a grain call to return.
    /// </summary>
    /// <returns>The session, or <see langword="null"/> when there is none (never handed over, ended meanwhile, or closed).</returns>
    public Task<HeldImapSession?> TakeAsync(string mailboxId) =>
        _watches.TryGetValue(mailboxId, out var watch) ? TakeFromAsync(watch) : Task.FromResult<HeldImapSession?>(null);

    /// <summary>Takes the mailbox's session back and logs it out (the mailbox was paused, changed, deleted or deactivated).</summary>
    public async Task CloseAsync(string mailboxId)
    {
        if (await TakeAsync(mailboxId) is { } held)
        {
            await held.Session.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        DueRound[] waiting;
        lock (_dueGate)
        {
            waiting = [.. _dueRounds];
            _dueRounds.Clear();
            _ticker?.Dispose();
            _ticker = null;
        }

        foreach (var round in waiting)
        {
            round.Go.TrySetResult(false);
        }

        foreach (var watch in _watches.Values)
        {
            await watch.Loop;
        }

        _shutdown.Dispose();
    }

    private async Task CloseAsync(Entry watch)
    {
        if (await TakeFromAsync(watch) is { } held)
        {
            await held.Session.DisposeAsync();
        }
    }

    private async Task<HeldImapSession?> TakeFromAsync(Entry watch)
    {
        Task<HeldImapSession?> handed;
        CancellationTokenSource? wake;
        DueRound? due;
        Task? closing = null;
        lock (watch.Gate)
        {
            if (watch.Done)
            {
                closing = watch.Closed.Task;
            }
        }

        if (closing is not null)
        {
            // Ended or being logged out: the caller opens the next session only when this one is closed.
            await closing;
            return null;
        }

        lock (watch.Gate)
        {
            if (watch.Done)
            {
                return null;
            }

            if (watch.Parked)
            {
                return HandOver(watch);
            }

            watch.Taker ??= new TaskCompletionSource<HeldImapSession?>(TaskCreationOptions.RunContinuationsAsynchronously);
            handed = watch.Taker.Task;
            wake = watch.Wake;
            due = watch.Due;
        }

        // A polled session waiting for its round starts it at once (and finds the taker).
        due?.Go.TrySetResult(false);

        // Outside the lock: cancelling runs the IDLE command's DONE callback synchronously.
        try
        {
            wake?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That IDLE command has just ended: the loop sees the taker before its next command.
        }

        return await handed;
    }

    /// <summary>Ends the watch and gives its session to the taker. Called under <see cref="Entry.Gate"/>.</summary>
    private HeldImapSession HandOver(Entry watch)
    {
        watch.Done = true;
        _watches.TryRemove(new KeyValuePair<string, Entry>(watch.MailboxId, watch));
        watch.Taker?.TrySetResult(watch.Held);
        watch.Closed.TrySetResult();
        return watch.Held;
    }

    private async Task RunAsync(Entry watch)
    {
        var session = watch.Held.Session;
        var rounds = 0;
        IdleSessionEnd? end = null;
        try
        {
            while (true)
            {
                if (watch.Poll is null && time.GetUtcNow() - watch.Held.OpenedAt >= _options.SessionLifetime)
                {
                    // Renewed for a fresh login (and, for OAuth2, a fresh token) before the old one expires.
                    end = new IdleSessionEnd { Rounds = rounds, Message = "The session reached its lifetime." };
                    break;
                }

                bool changed;
                if (watch.Poll is { } poll)
                {
                    var round = await PollRoundAsync(watch, poll);
                    if (round is PollRound.HandedOver)
                    {
                        return;
                    }

                    if (round is PollRound.LifetimeReached)
                    {
                        end = new IdleSessionEnd { Rounds = rounds, Message = "The session reached its lifetime." };
                        break;
                    }

                    rounds++;
                    if (round is PollRound.Unchanged)
                    {
                        // Nothing for the grain: its watchdog tick reads the round's time.
                        continue;
                    }

                    changed = true;
                }
                else if (session.Count != watch.SyncedCount)
                {
                    // A change reported while the grain synced (an untagged EXISTS during FETCH) needs no IDLE round.
                    changed = true;
                }
                else
                {
                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
                    lock (watch.Gate)
                    {
                        if (watch.Taker is not null)
                        {
                            HandOver(watch);
                            return;
                        }

                        watch.Wake = wake;
                    }

                    try
                    {
                        changed = await session.IdleAsync(_options.IdleHeartbeat, wake.Token, _shutdown.Token);
                    }
                    finally
                    {
                        lock (watch.Gate)
                        {
                            watch.Wake = null;
                        }
                    }

                    rounds++;
                }

                lock (watch.Gate)
                {
                    if (watch.Taker is not null)
                    {
                        HandOver(watch);
                        return;
                    }

                    watch.Parked = true;
                }

                if (!await TellAsync(watch, changed))
                {
                    return;
                }

                lock (watch.Gate)
                {
                    watch.Parked = false;
                    if (watch.Done)
                    {
                        // The grain took the session during the call.
                        return;
                    }

                    if (watch.Taker is not null)
                    {
                        HandOver(watch);
                        return;
                    }
                }

                // The grain did not take it: the count it has seen is the one to compare with from now on.
                watch.SyncedCount = session.Count;
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // The silo stops.
        }
        catch (MailboxAccessException ex)
        {
            end = new IdleSessionEnd { Code = ex.Code, Message = ex.Message, Rounds = rounds, RetryAfter = ex.RetryAfter };
        }
        catch (Exception ex)
        {
            LogUnexpected(logger, watch.MailboxId, ex.GetType().Name);
            end = new IdleSessionEnd { Code = MailboxErrorCodes.Unexpected, Message = "The IDLE session failed unexpectedly.", Rounds = rounds };
        }

        if (!TryEnd(watch))
        {
            return;
        }

        await CloseEndedAsync(watch);
        if (end is not null && !_shutdown.IsCancellationRequested)
        {
            LogEnded(logger, watch.MailboxId, end.Code ?? "lifetime", rounds);
            await TellEndedAsync(watch, end with { LastRoundAt = LastRoundOf(watch) });
        }
    }

    /// <summary>
    /// One round of a polled session: waits for the next grid point (a taker ends the wait at once), then NOOP and
    /// <c>UID SEARCH UID n:*</c> above the watermark. The commands are never cancelled by a taker (a command cut off
    /// midway leaves the connection unusable): a taker waits for the round's end.
    /// </summary>
    private async Task<PollRound> PollRoundAsync(Entry watch, PollWatch poll)
    {
        var wait = PollGrid.Wait(watch.DueFrom, poll.Interval, time.GetUtcNow(), poll.Slot);
        var longest = poll.Interval + (poll.Slot > TimeSpan.Zero ? poll.Slot : TimeSpan.Zero);
        var due = new DueRound(MonotonicTicks() + Math.Min(wait.Ticks, longest.Ticks), Interlocked.Increment(ref _roundSequence));
        lock (watch.Gate)
        {
            if (watch.Taker is not null)
            {
                HandOver(watch);
                return PollRound.HandedOver;
            }

            watch.Due = due;
        }

        Schedule(due);

        // True when the ticker released it, false when a taker (or the silo's stop) woke it.
        if (!await due.Go.Task)
        {
            Unschedule(due);
        }

        lock (watch.Gate)
        {
            watch.Due = null;
        }

        _shutdown.Token.ThrowIfCancellationRequested();
        lock (watch.Gate)
        {
            if (watch.Taker is not null)
            {
                HandOver(watch);
                return PollRound.HandedOver;
            }
        }

        var now = time.GetUtcNow();
        if (now - watch.Held.OpenedAt >= _options.SessionLifetime)
        {
            // Renewed at a due time, so that the grain's poll on a new session lands on the grid too.
            return PollRound.LifetimeReached;
        }

        var started = Stopwatch.GetTimestamp();
        watch.DueFrom = PollGrid.Nearest(now, poll.Slot);

        // RFC 3501 section 6.1.2: NOOP lets the server report new messages on a quiet session; the search does not rely on it.
        await watch.Held.Session.NoOpAsync(_shutdown.Token);
        var above = await watch.Held.Session.SearchUidsAfterAsync(poll.Watermark.LastUid, _shutdown.Token);
        Interlocked.Exchange(ref watch.LastRoundTicks, time.GetUtcNow().UtcTicks);
        if (above.Count > 0 || watch.Held.Session.UidValidity != poll.Watermark.UidValidity)
        {
            // The grain's own poll (which takes the session back) records itself.
            return PollRound.Changed;
        }

        metrics.RecordPoll(Stopwatch.GetElapsedTime(started), 0, errorCode: null);
        metrics.Contacted(watch.MailboxId, time.GetUtcNow() + poll.ContactWindow);
        return PollRound.Unchanged;
    }

    /// <summary>Adds a round to the ticker's schedule and moves the ticker up if the round is due first; when the silo stops, wakes it at once.</summary>
    private void Schedule(DueRound due)
    {
        lock (_dueGate)
        {
            if (_shutdown.IsCancellationRequested)
            {
                due.Go.TrySetResult(false);
                return;
            }

            _dueRounds.Add(due);
            if (due.AtTicks < _tickerDueTicks)
            {
                ArmTicker(due.AtTicks);
            }
        }
    }

    private void Unschedule(DueRound due)
    {
        lock (_dueGate)
        {
            _dueRounds.Remove(due);
        }
    }

    private static DateTimeOffset? LastRoundOf(Entry watch) =>
        Interlocked.Read(ref watch.LastRoundTicks) is > 0 and var ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Ticks (100 ns) of the monotonic clock since this service was created.</summary>
    private long MonotonicTicks() => time.GetElapsedTime(_origin).Ticks;

    /// <summary>Sets the one timer to <paramref name="atTicks"/> (<see cref="MonotonicTicks"/>). Called under <see cref="_dueGate"/>.</summary>
    private void ArmTicker(long atTicks)
    {
        // At most a day ahead (a timer's limit is 49 days): a later round is found again when the ticker fires.
        var wait = TimeSpan.FromTicks(Math.Clamp(atTicks - MonotonicTicks(), 0, TimeSpan.TicksPerDay));
        _ticker ??= time.CreateTimer(static state => ((ImapIdleSessions)state!).OnTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _ticker.Change(wait, Timeout.InfiniteTimeSpan);
        _tickerDueTicks = atTicks;
    }

    /// <summary>The ticker fired: releases every round due by now (and up to <see cref="TickTolerance"/> ahead) and sets the timer to the next.</summary>
    private void OnTick()
    {
        List<DueRound>? released = null;
        lock (_dueGate)
        {
            if (_ticker is null)
            {
                return;
            }

            _tickerDueTicks = long.MaxValue;
            var until = MonotonicTicks() + TickTolerance.Ticks;
            while (_dueRounds.Min is { } first && first.AtTicks <= until)
            {
                _dueRounds.Remove(first);
                (released ??= []).Add(first);
            }

            if (_dueRounds.Min is { } next)
            {
                ArmTicker(next.AtTicks);
            }
        }

        if (released is not null)
        {
            foreach (var round in released)
            {
                // Continuations run on the thread pool (the source runs them asynchronously): rounds start in parallel.
                round.Go.TrySetResult(true);
            }
        }
    }

    /// <summary>Marks the watch ended unless it was handed over; a waiting taker gets nothing.</summary>
    /// <returns><see langword="false"/> when the session was handed over and is not this loop's to close.</returns>
    private static bool TryEnd(Entry watch)
    {
        lock (watch.Gate)
        {
            if (watch.Done)
            {
                return false;
            }

            watch.Done = true;
            return true;
        }
    }

    /// <summary>
    /// Logs out the session of a watch that <see cref="TryEnd"/> ended, then removes the watch and answers its takers
    /// (none gets a session): the watch stays listed (<see cref="IsWatching"/>, <see cref="LastRoundAt"/>) until the
    /// session is closed, so that a taker opens the next connection only after this one is gone.
    /// </summary>
    private async Task CloseEndedAsync(Entry watch)
    {
        try
        {
            await watch.Held.Session.DisposeAsync();
        }
        finally
        {
            _watches.TryRemove(new KeyValuePair<string, Entry>(watch.MailboxId, watch));
            lock (watch.Gate)
            {
                watch.Taker?.TrySetResult(null);
            }

            watch.Closed.TrySetResult();
        }
    }

    /// <summary>
    /// Tells the grain about a round; on failure (the call timed out or failed) the session is closed and the end is
    /// reported with one more call, so that the grain polls on a new session; if that fails too, the grain's timer (or,
    /// for a polled mailbox, its watchdog reminder) starts a new one.
    /// </summary>
    /// <returns><see langword="false"/> when the loop ends.</returns>
    private async Task<bool> TellAsync(Entry watch, bool changed)
    {
        try
        {
            await grains.GetGrain<IMailboxIdleEvents>(watch.MailboxId).OnIdleRoundAsync(changed);
            return true;
        }
        catch (Exception ex) when (!_shutdown.IsCancellationRequested)
        {
            LogGrainUnreachable(logger, watch.MailboxId, ex.GetType().Name);
            if (TryEnd(watch))
            {
                await CloseEndedAsync(watch);
                await TellEndedAsync(watch, new IdleSessionEnd { Message = "The mailbox did not take the session's news; the session was closed.", LastRoundAt = LastRoundOf(watch) });
            }

            return false;
        }
    }

    private async Task TellEndedAsync(Entry watch, IdleSessionEnd end)
    {
        try
        {
            await grains.GetGrain<IMailboxIdleEvents>(watch.MailboxId).OnIdleSessionEndedAsync(end);
        }
        catch (Exception ex) when (!_shutdown.IsCancellationRequested)
        {
            // The grain's timer (for a polled mailbox its watchdog reminder) notices that no session is watched and starts a new one.
            LogGrainUnreachable(logger, watch.MailboxId, ex.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Mailbox {MailboxId}: the IDLE session ended ({Code}) after {Rounds} rounds")]
    private static partial void LogEnded(ILogger logger, string mailboxId, string code, int rounds);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: the grain did not take the session's event ({ExceptionType}); the session is closed and the grain opens a new one")]
    private static partial void LogGrainUnreachable(ILogger logger, string mailboxId, string exceptionType);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "Mailbox {MailboxId}: the IDLE session failed unexpectedly ({ExceptionType})")]
    private static partial void LogUnexpected(ILogger logger, string mailboxId, string exceptionType);

    /// <summary>The next round of a polled session, in the ticker's schedule.</summary>
    /// <param name="AtTicks">When it is due (<see cref="MonotonicTicks"/>).</param>
    /// <param name="Sequence">Tells rounds due at the same time apart.</param>
    private sealed record DueRound(long AtTicks, long Sequence)
    {
        /// <summary>Orders by due time, then sequence.</summary>
        public static IComparer<DueRound> ByDue { get; } = Comparer<DueRound>.Create(
            static (a, b) => a.AtTicks != b.AtTicks ? a.AtTicks.CompareTo(b.AtTicks) : a.Sequence.CompareTo(b.Sequence));

        /// <summary>Completed with <see langword="true"/> by the ticker, with <see langword="false"/> by a taker or the silo's stop.</summary>
        public TaskCompletionSource<bool> Go { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>How a round of a polled session ended.</summary>
    private enum PollRound
    {
        /// <summary>Nothing above the watermark.</summary>
        Unchanged,

        /// <summary>A UID above the watermark, or another UIDVALIDITY: the grain syncs.</summary>
        Changed,

        /// <summary>A taker came during the wait and has the session.</summary>
        HandedOver,

        /// <summary>The session reached <see cref="PollingOptions.SessionLifetime"/> and is renewed.</summary>
        LifetimeReached,
    }

    /// <summary>One session in IDLE (or polled) and the state of its hand-back.</summary>
    private sealed class Entry(string mailboxId, HeldImapSession held, int syncedCount, PollWatch? poll)
    {
        /// <summary>When the last polled round ended, in UTC ticks; 0 before the first. Read without the gate.</summary>
        public long LastRoundTicks;

        public Lock Gate { get; } = new();

        public string MailboxId { get; } = mailboxId;

        public HeldImapSession Held { get; } = held;

        public int SyncedCount { get; set; } = syncedCount;

        /// <summary>Set for a polled session; <see langword="null"/> for IDLE.</summary>
        public PollWatch? Poll { get; } = poll;

        /// <summary>The grid point the last polled round was due at.</summary>
        public DateTimeOffset DueFrom { get; set; } = poll?.From ?? default;

        public Task Loop { get; set; } = Task.CompletedTask;

        /// <summary>Set while an IDLE command runs; cancelling it sends DONE.</summary>
        public CancellationTokenSource? Wake { get; set; }

        /// <summary>Set while a polled session waits for its next round; a taker starts it at once.</summary>
        public DueRound? Due { get; set; }

        /// <summary>Set while the loop waits for a grain call: the session is not in use and can be handed over at once.</summary>
        public bool Parked { get; set; }

        /// <summary>The session was handed over or closed; the loop has ended or ends without touching it.</summary>
        public bool Done { get; set; }

        /// <summary>Someone waits for the session.</summary>
        public TaskCompletionSource<HeldImapSession?>? Taker { get; set; }

        /// <summary>Completed when the session was handed over or, after the watch ended, logged out.</summary>
        public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
