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

    /// <summary>Asks the IDLE loop to sync now and waits for the result (at most the poll timeout).</summary>
    private async Task<PollResult> RequestIdleSyncAsync()
    {
        _idleRequest ??= new TaskCompletionSource<PollResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = _idleRequest;
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

    private async Task RunIdleLoopAsync(CancellationToken stop)
    {
        await Task.Yield();
        var mailboxId = this.GetPrimaryKeyString();
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

                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    _idleWake = wake;
                    var changed = await session.IdleAsync(_polling.IdleHeartbeat, wake.Token, stop);
                    _idleWake = null;
                    _lastContactAt = time.GetUtcNow();
                    TrackMetrics(CurrentState);
                    if (changed)
                    {
                        CompleteIdleRequest(await SyncBoundedAsync(session, Stopwatch.GetTimestamp(), stop, refresh: true));
                    }
                }
            }
            catch (MailboxAccessException ex) when (ex.Code == MailboxErrorCodes.Office365SessionExpired && _idleSessionOpen)
            {
                // Exchange ends sessions when their token expires: reconnect at once with a fresh one; not a failure.
                LogSessionExpired(logger, mailboxId);
            }
            catch (Exception ex) when (ex is MailboxAccessException or System.Security.Cryptography.CryptographicException
                || (ex is OperationCanceledException && !stop.IsCancellationRequested))
            {
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

                try
                {
                    await Task.Delay(delay, time, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            finally
            {
                _idleSessionOpen = false;
                _idleWake = null;
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

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: Exchange ended the IDLE session because its token expired; reconnecting with a fresh token")]
    private static partial void LogSessionExpired(ILogger logger, string mailboxId);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Mailbox {MailboxId}: IDLE session open")]
    private static partial void LogIdleStarted(ILogger logger, string mailboxId);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: the server does not offer IDLE; polling instead")]
    private static partial void LogIdleUnsupported(ILogger logger, string mailboxId);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: {Failures} IDLE sessions failed in a row; polling for {Minutes:0} min instead")]
    private static partial void LogIdleFallback(ILogger logger, string mailboxId, int failures, double minutes);
}
