using System.Collections.Concurrent;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
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
/// </summary>
/// <remarks>
/// One instance per silo (a singleton). A session that fails or is ended by the server is closed here and reported with
/// <see cref="IMailboxIdleEvents.OnIdleSessionEndedAsync"/>; reconnecting is the grain's decision. Thread-safe.
/// </remarks>
public sealed partial class ImapIdleSessions(IGrainFactory grains, IOptions<PollingOptions> options, TimeProvider time, ILogger<ImapIdleSessions> logger)
    : IAsyncDisposable
{
    private readonly PollingOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Entry> _watches = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();

    /// <summary>How many sessions this silo holds in IDLE.</summary>
    public int Count => _watches.Count;

    /// <summary>Whether this silo holds an IDLE session for <paramref name="mailboxId"/>.</summary>
    public bool IsWatching(string mailboxId) => _watches.ContainsKey(mailboxId);

    /// <summary>
    /// Takes over <paramref name="held"/> and keeps it in IDLE until the grain takes it back, the server ends it, or it
    /// reaches <see cref="PollingOptions.SessionLifetime"/>.
    /// </summary>
    /// <param name="mailboxId">The mailbox grain's key.</param>
    /// <param name="held">A session on which the mailbox has just synced; it belongs to this service from now on.</param>
    /// <param name="syncedCount">The folder's message count the sync saw: a different count on the session means a change arrived meanwhile.</param>
    public void Watch(string mailboxId, HeldImapSession held, int syncedCount)
    {
        ArgumentNullException.ThrowIfNull(held);
        var watch = new Entry(mailboxId, held, syncedCount);
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
        }

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
                if (time.GetUtcNow() - watch.Held.OpenedAt >= _options.SessionLifetime)
                {
                    // Renewed for a fresh login (and, for OAuth2, a fresh token) before the old one expires.
                    end = new IdleSessionEnd { Rounds = rounds, Message = "The session reached its lifetime." };
                    break;
                }

                // A change reported while the grain synced (an untagged EXISTS during FETCH) needs no IDLE round.
                var changed = session.Count != watch.SyncedCount;
                if (!changed)
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

        await session.DisposeAsync();
        if (end is not null && !_shutdown.IsCancellationRequested)
        {
            LogEnded(logger, watch.MailboxId, end.Code ?? "lifetime", rounds);
            await TellEndedAsync(watch, end);
        }
    }

    /// <summary>Marks the watch ended unless it was handed over; a waiting taker gets nothing.</summary>
    /// <returns><see langword="false"/> when the session was handed over and is not this loop's to close.</returns>
    private bool TryEnd(Entry watch)
    {
        lock (watch.Gate)
        {
            if (watch.Done)
            {
                return false;
            }

            watch.Done = true;
            _watches.TryRemove(new KeyValuePair<string, Entry>(watch.MailboxId, watch));
            watch.Taker?.TrySetResult(null);
            return true;
        }
    }

    /// <summary>Tells the grain about a round; on failure (the grain cannot be reached) the session is closed, and the grain's timer starts a new one.</summary>
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
                await watch.Held.Session.DisposeAsync();
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
            // The grain's timer notices that no session is watched and starts a new one.
            LogGrainUnreachable(logger, watch.MailboxId, ex.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Mailbox {MailboxId}: the IDLE session ended ({Code}) after {Rounds} rounds")]
    private static partial void LogEnded(ILogger logger, string mailboxId, string code, int rounds);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: the grain did not take the IDLE event ({ExceptionType}); the session is closed and the grain's timer opens a new one")]
    private static partial void LogGrainUnreachable(ILogger logger, string mailboxId, string exceptionType);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "Mailbox {MailboxId}: the IDLE session failed unexpectedly ({ExceptionType})")]
    private static partial void LogUnexpected(ILogger logger, string mailboxId, string exceptionType);

    /// <summary>One session in IDLE and the state of its hand-back.</summary>
    private sealed class Entry(string mailboxId, HeldImapSession held, int syncedCount)
    {
        public Lock Gate { get; } = new();

        public string MailboxId { get; } = mailboxId;

        public HeldImapSession Held { get; } = held;

        public int SyncedCount { get; set; } = syncedCount;

        public Task Loop { get; set; } = Task.CompletedTask;

        /// <summary>Set while an IDLE command runs; cancelling it sends DONE.</summary>
        public CancellationTokenSource? Wake { get; set; }

        /// <summary>Set while the loop waits for a grain call: the session is not in use and can be handed over at once.</summary>
        public bool Parked { get; set; }

        /// <summary>The session was handed over or closed; the loop has ended or ends without touching it.</summary>
        public bool Done { get; set; }

        /// <summary>Someone waits for the session.</summary>
        public TaskCompletionSource<HeldImapSession?>? Taker { get; set; }
    }
}
