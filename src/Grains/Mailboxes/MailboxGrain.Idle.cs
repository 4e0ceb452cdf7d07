using System.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// The IDLE session (RFC 2177): a background loop on the grain's scheduler that keeps one connection, syncs when the
/// server reports a change, and ends IDLE every heartbeat to prove the connection is alive. Grain calls interleave at
/// every await, so the grain stays responsive; the timer and the reminder restart the loop when it ends.
/// </summary>
public sealed partial class MailboxGrain
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private Task? _idleLoop;
    private CancellationTokenSource? _idleStop;
    private CancellationTokenSource? _idleWake;
    private TaskCompletionSource<PollResult>? _idleRequest;
    private bool _idleSessionOpen;
    private bool _idleUnsupported;
    private int _idleFailures;
    private int _syncedCount;
    private DateTimeOffset? _idleFallbackUntil;

    private bool IsIdleLoopRunning => _idleLoop is { IsCompleted: false };

    private bool IdleWanted => ShouldPoll && S.Settings.UseIdle && !_idleUnsupported && S.Settings.AuthType != MailboxAuthType.Graph
        && (_idleFallbackUntil is null || time.GetUtcNow() >= _idleFallbackUntil);

    /// <summary>Writes the mailbox state; serialised, because the IDLE loop and grain calls interleave.</summary>
    private async Task PersistAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void StartIdleLoop()
    {
        _idleStop = new CancellationTokenSource();

        // Started from a grain turn without ConfigureAwait(false): every continuation runs on this grain's scheduler.
        _idleLoop = RunIdleLoopAsync(_idleStop.Token);
    }

    private async Task StopIdleLoopAsync()
    {
        if (_idleLoop is null || _idleStop is null)
        {
            return;
        }

        await _idleStop.CancelAsync();
        try
        {
            await _idleLoop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or MailboxAccessException)
        {
            // Stopping: how the loop ended does not matter any more.
        }

        _idleLoop = null;
        _idleStop.Dispose();
        _idleStop = null;
    }

    /// <summary>
    /// Asks the IDLE loop to sync now and waits for the result (at most the poll timeout). Wakes the loop from IDLE or
    /// from the pause before its next connection attempt; while it reconnects, the request is answered by the first
    /// sync of the new session. Never throws because a session ended.
    /// </summary>
    private async Task<PollResult> RequestIdleSyncAsync()
    {
        _idleRequest ??= new TaskCompletionSource<PollResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = _idleRequest;

        // _idleWake is set only while the loop waits (in IDLE or before a retry) and cleared before it is disposed.
        _idleWake?.Cancel();
        try
        {
            return await request.Task.WaitAsync(_polling.PollTimeout);
        }
        catch (TimeoutException)
        {
            return new PollResult
            {
                Succeeded = false,
                Error = new MailboxError(MailboxErrorCodes.Timeout, $"The IDLE session did not complete a sync within {_polling.PollTimeout.TotalSeconds:0} s.", time.GetUtcNow()),
                Watermark = S.Watermark,
            };
        }
    }

    private void CompleteIdleRequest(PollResult result)
    {
        var request = _idleRequest;
        _idleRequest = null;
        request?.TrySetResult(result);
    }

    /// <summary>Whether <paramref name="code"/> says that the server or the network ended an open session (not that something was refused).</summary>
    private static bool IsSessionEnd(string code) =>
        code is MailboxErrorCodes.Disconnected or MailboxErrorCodes.ConnectionLost or MailboxErrorCodes.Office365SessionExpired;

    private async Task RunIdleLoopAsync(CancellationToken stop)
    {
        await Task.Yield();
        var mailboxId = this.GetPrimaryKeyString();

        // Set when an open session ended and the loop reconnects at once; cleared once the new session has completed an
        // IDLE round. A session that ends again before that counts as a failed reconnect and is backed off.
        var reconnecting = false;
        while (!stop.IsCancellationRequested && IdleWanted)
        {
            var started = Stopwatch.GetTimestamp();
            IImapSession? session = null;
            try
            {
                using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    connect.CancelAfter(_polling.PollTimeout);
                    session = await OpenSessionAsync(connect.Token);
                }

                CompleteIdleRequest(await SyncBoundedAsync(session, started, stop));
                if (!session.SupportsIdle)
                {
                    _idleUnsupported = true;
                    LogIdleUnsupported(logger, mailboxId);
                    break;
                }

                _idleFailures = 0;
                _idleSessionOpen = true;
                var opened = time.GetUtcNow();
                LogIdleStarted(logger, mailboxId);
                while (!stop.IsCancellationRequested && time.GetUtcNow() - opened < _polling.SessionLifetime)
                {
                    // A change reported while we were busy (untagged EXISTS during FETCH) or a waiting request: sync first.
                    if (session.Count != _syncedCount || _idleRequest is not null)
                    {
                        CompleteIdleRequest(await SyncBoundedAsync(session, Stopwatch.GetTimestamp(), stop, refresh: true));
                        continue;
                    }

                    var changed = await IdleOnceAsync(session, stop);
                    reconnecting = false;
                    _lastContactAt = time.GetUtcNow();
                    TrackMetrics(CurrentState);
                    if (changed)
                    {
                        CompleteIdleRequest(await SyncBoundedAsync(session, Stopwatch.GetTimestamp(), stop, refresh: true));
                    }
                }
            }
            catch (MailboxAccessException ex) when (_idleSessionOpen && !reconnecting && IsSessionEnd(ex.Code))
            {
                // The server ended an open session (BYE: a kick, a UIDVALIDITY change, Exchange's token expiry) or the
                // connection dropped: not a failure of the mailbox. Reconnect at once; only a failed reconnect backs off.
                reconnecting = true;
                LogSessionEnded(logger, mailboxId, ex.Code);
            }
            catch (Exception ex) when (ex is MailboxAccessException or System.Security.Cryptography.CryptographicException
                || (ex is OperationCanceledException && !stop.IsCancellationRequested))
            {
                reconnecting = false;
                var failure = await RecordFailureAsync(ex, _polling.PollTimeout, started);
                CompleteIdleRequest(failure);
                _idleFailures++;
                var delay = NextRetryDelay(failure);
                if (_idleFailures >= _polling.MaxIdleFailures)
                {
                    _idleFallbackUntil = time.GetUtcNow() + _polling.IdleFallbackPeriod;
                    LogIdleFallback(logger, mailboxId, _idleFailures, _polling.IdleFallbackPeriod.TotalMinutes);
                    _timer?.Change(delay, Interval);
                    break;
                }

                // Status is truthful meanwhile: Failing, idleActive false, nextAttemptAt set.
                _idleSessionOpen = false;
                if (!await WaitBeforeRetryAsync(delay, stop))
                {
                    break;
                }
            }
            finally
            {
                _idleSessionOpen = false;
                if (session is not null)
                {
                    await session.DisposeAsync();
                }
            }
        }

        CompleteIdleRequest(new PollResult { Succeeded = false, Skipped = "idle session ended", Watermark = S.Watermark });
        if (!stop.IsCancellationRequested && ShouldPoll)
        {
            // Plain polling takes over (no IDLE on this server, or the fallback period).
            _timer?.Change(_nextAttemptAt is { } next && next > time.GetUtcNow() ? next - time.GetUtcNow() : Interval, Interval);
        }
    }

    /// <summary>One IDLE command; a poll request (<see cref="RequestIdleSyncAsync"/>) ends it early.</summary>
    private async Task<bool> IdleOnceAsync(IImapSession session, CancellationToken stop)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _idleWake = wake;
        try
        {
            return await session.IdleAsync(_polling.IdleHeartbeat, wake.Token, stop);
        }
        finally
        {
            // Before the source is disposed, so that a poll request never cancels a disposed source.
            _idleWake = null;
        }
    }

    /// <summary>Waits <paramref name="delay"/> before the next connection attempt; a poll request ends the wait early.</summary>
    /// <returns><see langword="false"/> when the loop is being stopped.</returns>
    private async Task<bool> WaitBeforeRetryAsync(TimeSpan delay, CancellationToken stop)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _idleWake = wake;
        try
        {
            await Task.Delay(delay, time, wake.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopped, or woken by a poll request: then the next attempt starts now.
        }
        finally
        {
            _idleWake = null;
        }

        return !stop.IsCancellationRequested;
    }

    /// <summary>Syncs on an open session within the poll timeout.</summary>
    /// <param name="session">The open session.</param>
    /// <param name="started">Stopwatch timestamp the duration is measured from.</param>
    /// <param name="stop">Ends the IDLE loop.</param>
    /// <param name="refresh">
    /// Send NOOP first: on a session that has been open for a while the server may not yet have told it about new
    /// messages (Dovecot reports a change made by another connection only at the next command), so a search without
    /// it can miss a mail that is already there (RFC 3501 section 6.1.2).
    /// </param>
    private async Task<PollResult> SyncBoundedAsync(IImapSession session, long started, CancellationToken stop, bool refresh = false)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_polling.PollTimeout);
        if (refresh)
        {
            await session.NoOpAsync(timeout.Token);
        }

        return await SyncAsync(session, started, timeout.Token);
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: the IDLE session ended ({Code}); reconnecting at once")]
    private static partial void LogSessionEnded(ILogger logger, string mailboxId, string code);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Mailbox {MailboxId}: IDLE session open")]
    private static partial void LogIdleStarted(ILogger logger, string mailboxId);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: the server does not offer IDLE; polling instead")]
    private static partial void LogIdleUnsupported(ILogger logger, string mailboxId);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: {Failures} IDLE sessions failed in a row; polling for {Minutes:0} min instead")]
    private static partial void LogIdleFallback(ILogger logger, string mailboxId, int failures, double minutes);
}
