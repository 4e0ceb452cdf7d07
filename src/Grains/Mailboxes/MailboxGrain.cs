using System.Diagnostics;
using System.Security.Cryptography;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Ingestion;
using AlarmInbox.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// Orchestrates one mailbox, one call at a time: its stored settings and watermark, a grain timer for the poll cadence
/// and the backoff, a reminder as the watchdog that brings the grain back (both in <see cref="MailboxClock"/>). The work
/// is done elsewhere: the IMAP sync by <see cref="ImapFolderSync"/> on a session from <see cref="ImapSessionSync"/>, a
/// Graph mailbox's delta round by <see cref="GraphMailboxSync"/>, credentials and new sessions by
/// <see cref="MailboxCredentials"/>, health, backoff and status by <see cref="MailboxHealth"/>, the reconnect decision
/// after an IDLE session's end by <see cref="IdleReconnectPolicy"/>, the hand-over by the one ingestion path
/// (<see cref="MailIngestion"/>). The mailbox has at most one open session: kept here between polls, or
/// held by the silo's <see cref="ImapIdleSessions"/> (in IDLE, RFC 2177, or polled on the grid, <see cref="PollWatch"/>),
/// which calls back when the folder changed.
/// </summary>
[GrainType("mailbox")]
public sealed class MailboxGrain(
    [PersistentState("mailbox", StorageNames.Default)] IPersistentState<MailboxGrainState> state,
    MailboxCredentials credentials,
    ImapFolderSync folderSync,
    ImapIdleSessions idleSessions,
    GraphMailboxSync graphSync,
    MailIngestion ingestion,
    MailboxMetrics metrics,
    FirstPollPacer pacer,
    IPollStepObserver stepObserver,
    TimeProvider time,
    IOptions<PollingOptions> pollingOptions,
    ILogger<MailboxGrain> logger) : Grain, IMailboxGrain, IMailboxIdleEvents, IRemindable
{
    private readonly PollingOptions _polling = pollingOptions.Value;
    private readonly MailboxHealth _health = new(pollingOptions.Value, time);
    private readonly IdleReconnectPolicy _reconnect = new();
    private MailboxClock? _clock;
    private ImapSessionSync? _imap;
    private bool _pollRunning;
    private bool _idleUnsupported;

    private MailboxSyncTarget? _target;

    // Lowered when a FETCH part does not come within the poll's budget (a slow link), so the next polls get past a large mail.
    private FetchSizeLimit? _fetchLimit;
    private MailboxSessionHolder? _sessions;

    private MailboxGrainState S => state.State;

    /// <summary>Where syncs hand mails over and write the watermark.</summary>
    private MailboxSyncTarget Target => _target ??= new MailboxSyncTarget(Id, state, ingestion, GrainFactory, stepObserver);

    private string Id => this.GetPrimaryKeyString();

    /// <summary>The mailbox's one open session, kept here or in IDLE.</summary>
    private MailboxSessionHolder Sessions => _sessions ??= new MailboxSessionHolder(Id, idleSessions, _polling, time);

    /// <summary>The IMAP sync on the open session or a new one.</summary>
    private ImapSessionSync Imap => _imap ??= new ImapSessionSync(Id, Sessions, credentials, folderSync, time, logger);

    /// <summary>The poll timer and the watchdog reminder.</summary>
    private MailboxClock Clock => _clock ??= new MailboxClock(this, OnTimerAsync, _polling, time);

    /// <summary>The stored messages, in a grain of their own that is not kept in memory.</summary>
    private IMailboxMessagesGrain Messages => GrainFactory.GetGrain<IMailboxMessagesGrain>(Id);

    /// <summary>Whether the mailbox exists and belongs to <paramref name="tenantId"/>: a command through another tenant finds no mailbox.</summary>
    private bool IsTenants(string tenantId) => S.Exists && string.Equals(S.TenantId, tenantId, StringComparison.Ordinal);

    private bool ShouldPoll => S.Exists && S.Settings.Enabled && !S.Paused;

    private TimeSpan Interval => TimeSpan.FromSeconds(S.Settings.PollIntervalSeconds);

    /// <summary>How long after the server's last answer the mailbox counts as out of contact.</summary>
    private TimeSpan ContactWindow => _health.ContactWindow(Interval);

    /// <summary>How long the activation is kept while the session service polls without calling: past the next watchdog tick, which renews it.</summary>
    private TimeSpan KeepActiveFor => ContactWindow > 2 * _polling.WatchdogPeriod ? ContactWindow : 2 * _polling.WatchdogPeriod;

    private bool IdleWanted => ShouldPoll && S.Settings.UseIdle && !_idleUnsupported && S.Settings.AuthType != MailboxAuthType.Graph && !_health.IdleFallbackActive;

    /// <summary>Whether a session should stay open after a poll: polled mailboxes (not IDLE) at a short enough interval.</summary>
    private bool KeepSessionWanted => _polling.KeepSessions && ShouldPoll && !IdleWanted && Interval <= _polling.KeptSessionMaxInterval;

    private MailboxState CurrentState => _pollRunning ? MailboxState.Polling
        : !ShouldPoll ? MailboxState.Paused
        : S.LastError is not null ? MailboxState.Failing
        : MailboxState.Idle;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _health.Activated(S);
        credentials.FillInCertificateExpiry(S);
        if (ShouldPoll)
        {
            Clock.Start(pacer.NextDelay(Interval), Interval);
        }

        if (S.Exists)
        {
            // An id that names no mailbox (a command addressed to a wrong id answers not found) is no mailbox in the metrics.
            TrackMetrics();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Forget(Id);
        Clock.Stop();
        await Sessions.CloseAsync();
    }

    /// <inheritdoc />
    public async Task<CommandResult<MailboxDetails>> CreateAsync(string tenantId, MailboxSettings settings, int backfill)
    {
        settings = MailboxSettingsValidator.Normalize(settings);
        var errors = MailboxSettingsValidator.Validate(settings, requirePassword: true);
        if (backfill is < 0 or > MailboxLimits.MaxBackfill)
        {
            errors["backfill"] = [$"backfill must be between 0 and {MailboxLimits.MaxBackfill}."];
        }

        if (CommandError.IfAny(errors) is { } invalid)
        {
            return invalid;
        }

        if (S.Exists)
        {
            throw new InvalidOperationException($"Mailbox {Id} already exists.");
        }

        var now = time.GetUtcNow();
        state.State = new MailboxGrainState { Exists = true, TenantId = tenantId, CreatedAt = now, BaselineSince = now, PendingBackfill = backfill };
        credentials.StoreNew(S, settings);
        await state.WriteStateAsync();
        logger.Created(Id, tenantId);
        if (S.Settings.Enabled)
        {
            await Clock.RegisterWatchdogAsync();
            using var contact = new CancellationTokenSource(_polling.InitialContactTimeout);
            var started = time.GetUtcNow();
            Schedule(await PollOnceAsync(_polling.InitialContactTimeout, creation: true, contact.Token), started);
        }

        TrackMetrics();
        return CommandResult.Ok(Details());
    }

    /// <inheritdoc />
    public async Task<CommandResult<MailboxDetails>> UpdateAsync(string tenantId, MailboxSettings settings)
    {
        if (!IsTenants(tenantId))
        {
            return CommandError.MailboxNotFound(tenantId, Id);
        }

        settings = MailboxSettingsValidator.Normalize(settings);
        if (CommandError.IfAny(MailboxSettingsValidator.Validate(settings, requirePassword: settings.AuthType != S.Settings.AuthType)) is { } invalid)
        {
            return invalid;
        }

        var sameSource = S.IsSameSource(settings);

        // The open session uses the old settings: close it, the timer opens the next one with the new ones.
        await Sessions.CloseAsync();
        credentials.ApplyUpdate(S, settings);
        if (!sameSource)
        {
            S.ChangeSource(time.GetUtcNow());
        }

        _health.Reset(S);
        await state.WriteStateAsync();
        await ApplyScheduleAsync();
        return CommandResult.Ok(Details());
    }

    /// <inheritdoc />
    public Task<MailboxDetails?> GetAsync() => Task.FromResult(S.Exists ? Details() : null);

    /// <inheritdoc />
    public async Task<bool> DeleteAsync()
    {
        if (!S.Exists)
        {
            return false;
        }

        Clock.Stop();
        await Sessions.CloseAsync();
        await Clock.UnregisterWatchdogAsync();
        await Messages.ClearAsync();
        await state.ClearStateAsync();
        metrics.Forget(Id);
        logger.Deleted(Id);
        DeactivateOnIdle();
        return true;
    }

    /// <inheritdoc />
    public async Task<PollResult?> PollNowAsync()
    {
        if (!S.Exists)
        {
            return null;
        }

        var poll = PollAndScheduleAsync();
        await ThenEnsureTimer(poll);
        return await poll;
    }

    /// <inheritdoc />
    public async Task<CommandResult<MailboxDetails>> PauseAsync(string tenantId) => await SetPausedAsync(tenantId, true);

    /// <inheritdoc />
    public async Task<CommandResult<MailboxDetails>> ResumeAsync(string tenantId) => await SetPausedAsync(tenantId, false);

    /// <inheritdoc />
    public async Task<IReadOnlyList<MailMessage>?> GetMessagesAsync(int limit) =>
        S.Exists ? await Messages.GetNewestAsync(limit, S.Watermark.UidValidity) : null;

    /// <inheritdoc />
    public async Task<ConnectionTestResult?> TestConnectionAsync()
    {
        if (!S.Exists)
        {
            return null;
        }

        using var timeout = new CancellationTokenSource(_polling.PollTimeout);
        return await credentials.TestConnectionAsync(S, timeout.Token);
    }

    /// <inheritdoc />
    public async Task EnsureRunningAsync()
    {
        if (ShouldPoll)
        {
            await Clock.RegisterWatchdogAsync();
        }
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // The reminder brings the grain back (activation starts the timer) and restarts a lost timer. While the session
        // service polls the kept session, its tick is also the heartbeat that the service's empty rounds do not send.
        await ThenEnsureTimer(Sessions.Polled ? OnPolledTickAsync() : Task.CompletedTask);
    }

    /// <summary>
    /// The watchdog's tick while the session service polls the kept session: records the service's last round as a
    /// success (written when that changes the visible status, as every poll's), goes back to IDLE when that is wanted again (the fallback period
    /// ended), and takes the session back and polls when the service's rounds stopped (two intervals and a poll's budget
    /// without an answer).
    /// </summary>
    private async Task OnPolledTickAsync()
    {
        var lastRound = Sessions.LastRoundAt;
        if (IdleWanted || _health.LastContactWith(lastRound) < time.GetUtcNow() - (2 * Interval) - _polling.PollTimeout)
        {
            await PollAndScheduleAsync();
            return;
        }

        DelayDeactivation(KeepActiveFor);
        _reconnect.RoundSeen();
        if (RecordRound(lastRound))
        {
            await state.WriteStateAsync();
        }

        TrackMetrics();
    }

    /// <summary>Records the session service's last poll round (<paramref name="at"/>) as a success if it is later than the stored one.</summary>
    /// <returns>Whether the state is worth a write (<see cref="MailboxHealth.RecordSuccess"/>).</returns>
    private bool RecordRound(DateTimeOffset? at) => at > S.LastSuccessAt && _health.RecordSuccess(S, uidValidityChanged: false, at);

    /// <inheritdoc />
    public async Task OnIdleRoundAsync(bool changed) => await ThenEnsureTimer(OnRoundAsync(changed));

    /// <summary>An IDLE round ended (<paramref name="changed"/>: the server reported a change), or the session service's poll round found a UID above the watermark.</summary>
    private async Task OnRoundAsync(bool changed)
    {
        _health.Contact();
        _reconnect.RoundSeen();
        TrackMetrics();
        if (changed && ShouldPoll)
        {
            await PollAndScheduleAsync();
        }
    }

    /// <inheritdoc />
    public async Task OnIdleSessionEndedAsync(IdleSessionEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        await ThenEnsureTimer(OnSessionEndedAsync(end));
    }

    private async Task OnSessionEndedAsync(IdleSessionEnd end)
    {
        // The service's last round is the last success, even if the poll on a new session fails; written with that poll's result.
        RecordRound(end.LastRoundAt);
        if (!ShouldPoll || Sessions.Watched)
        {
            // Not wanted any more, or a newer session is already watched (a poll replaced the one that ended).
            return;
        }

        // A kept session the service polled (it reached its lifetime at a due time, dropped or failed): as when the
        // grain's own kept session fails, the poll goes on at once on a new session, unless the server asked to wait.
        // An IDLE session: as its policy says.
        var idle = IdleWanted;
        if (idle ? _reconnect.ReconnectAtOnce(end) : end.Code != MailboxErrorCodes.Throttled)
        {
            if (idle)
            {
                logger.SessionEnded(Id, end.Code ?? "lifetime");
            }

            await PollAndScheduleAsync();
            return;
        }

        var started = time.GetUtcNow();
        var failure = new MailboxAccessException(end.Code!, end.Message, retryAfter: end.RetryAfter);
        Schedule(await RecordFailureAsync(failure, _polling.PollTimeout, Stopwatch.GetTimestamp()), started);
    }

    /// <summary>A poll within <see cref="PollingOptions.PollTimeout"/> (and <paramref name="cancellationToken"/>), then the timer set from its result.</summary>
    private async Task<PollResult> PollAndScheduleAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_polling.PollTimeout);
        var started = time.GetUtcNow();
        var result = await PollOnceAsync(_polling.PollTimeout, creation: false, timeout.Token);
        if (ShouldPoll)
        {
            Schedule(result, started);
        }

        return result;
    }

    /// <summary>
    /// One poll. On the open session if there is one (kept here, or taken back from IDLE): NOOP, then the sync; if that
    /// session fails for any reason but throttling, it is closed and the poll goes on with a new one. Afterwards the
    /// session goes into IDLE, is kept, or is logged out. Never throws for expected failures.
    /// </summary>
    private async Task<PollResult> PollOnceAsync(TimeSpan budget, bool creation, CancellationToken cancellationToken)
    {
        // The session service's last round before the poll takes the session back: its time goes with the session.
        RecordRound(Sessions.LastRoundAt);
        var started = Stopwatch.GetTimestamp();
        _pollRunning = true;
        TrackMetrics();
        try
        {
            return S.Settings.AuthType == MailboxAuthType.Graph
                ? await PollGraphAsync(budget, started, cancellationToken)
                : await PollImapAsync(budget, started, creation, cancellationToken);
        }
        finally
        {
            _pollRunning = false;
            TrackMetrics();
        }
    }

    /// <summary>The IMAP sync (<see cref="ImapSessionSync"/>); then the session goes into IDLE, is kept (here or polled by the session service), or is logged out.</summary>
    private async Task<PollResult> PollImapAsync(TimeSpan budget, long started, bool creation, CancellationToken cancellationToken)
    {
        HeldImapSession held;
        ImapSyncResult synced;
        try
        {
            (held, synced) = await Imap.SyncAsync(S, () => SyncStart(creation), Target, cancellationToken);
        }
        catch (Exception ex) when (ex is MailboxAccessException or OperationCanceledException or CryptographicException)
        {
            return await RecordFailureAsync(ex, budget, started);
        }

        if (IdleWanted && !held.Session.SupportsIdle)
        {
            _idleUnsupported = true;
            logger.IdleUnsupported(Id);
        }

        if (IdleWanted)
        {
            _health.IdleStarted();
        }

        // A kept session with nothing more waiting is polled by the silo's session service until something new appears.
        var poll = KeepSessionWanted && _polling.WatchKeptSessions && !synced.MoreWaiting
            ? new PollWatch(Interval, _polling.PollSlot, S.Watermark, PollGrid.Nearest(time.GetUtcNow() - Stopwatch.GetElapsedTime(started), _polling.PollSlot), ContactWindow)
            : null;
        await Sessions.ParkAsync(held, synced.FolderCount, idle: IdleWanted, keep: KeepSessionWanted, poll);
        return await RecordSuccessAsync(synced.Stored, synced.UidValidityChanged, synced.MoreWaiting, started);
    }

    /// <summary>Where a sync starts; in the creation call (<paramref name="creation"/>) a baseline set is the UIDNEXT seen then.</summary>
    private ImapSyncStart SyncStart(bool creation) => new()
    {
        MailboxId = Id,
        Watermark = S.Watermark,
        PendingBackfill = S.PendingBackfill,
        NewSince = creation ? null : S.BaselineSince ?? S.CreatedAt,
        LastInSyncAt = S.LastSuccessAt ?? S.CreatedAt,
        FetchLimit = _fetchLimit ??= folderSync.NewFetchLimit(),
    };

    private async Task<PollResult> PollGraphAsync(TimeSpan budget, long started, CancellationToken cancellationToken)
    {
        if (_health.GraphWaitFailure() is { } wait)
        {
            return await RecordFailureAsync(wait, budget, started);
        }

        try
        {
            var round = await graphSync.RunAsync(S, Target, () => state.WriteStateAsync(), cancellationToken);
            logger.GraphRound(Id, round.Pages, round.HandedOver, round.Restarted, round.MoreWaiting);
            return await RecordSuccessAsync(round.HandedOver, uidValidityChanged: false, round.MoreWaiting, started);
        }
        catch (Exception ex) when (ex is MailboxAccessException or OperationCanceledException or CryptographicException)
        {
            return await RecordFailureAsync(ex, budget, started);
        }
    }

    private async Task<PollResult> RecordSuccessAsync(int stored, bool uidValidityChanged, bool moreWaiting, long started)
    {
        // Every batch already wrote the state; write again only when the visible status changed (MailboxHealth.RecordSuccess).
        if (_health.RecordSuccess(S, uidValidityChanged))
        {
            await state.WriteStateAsync();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.RecordPoll(elapsed, stored, errorCode: null);
        logger.Polled(Id, stored, S.Watermark.UidValidity, S.Watermark.LastUid, elapsed.TotalMilliseconds);
        return new PollResult
        {
            Succeeded = true,
            NewMessages = stored,
            DurationMs = elapsed.TotalMilliseconds,
            Watermark = S.Watermark,
            UidValidityChanged = uidValidityChanged,
            MoreWaiting = moreWaiting,
        };
    }

    private async Task<PollResult> RecordFailureAsync(Exception failure, TimeSpan budget, long started)
    {
        var (error, changed, idleGivenUp) = _health.RecordFailure(S, failure, budget, countsForIdle: IdleWanted);
        if (changed)
        {
            await state.WriteStateAsync();
        }

        if (idleGivenUp)
        {
            logger.IdleFallback(Id, _polling.MaxIdleFailures, _polling.IdleFallbackPeriod.TotalMinutes);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.RecordPoll(elapsed, 0, error.Code);
        TrackMetrics();
        logger.PollFailed(Id, error.Code, S.ConsecutiveFailures, elapsed.TotalMilliseconds);
        return new PollResult { Succeeded = false, DurationMs = elapsed.TotalMilliseconds, Error = error, Watermark = S.Watermark };
    }

    /// <summary>
    /// When the timer fires next after <paramref name="result"/> of a poll started at <paramref name="started"/>: at once
    /// when more mails wait, otherwise after the interval or the backoff, counted from the grid point nearest the start
    /// and moved up to the silo's poll grid (<see cref="PollGrid"/>; not for IDLE mailboxes, whose timer only backs off).
    /// </summary>
    private TimeSpan NextDue(PollResult result, DateTimeOffset started)
    {
        var delay = result.MoreWaiting ? TimeSpan.Zero : result.Succeeded ? Interval : _health.NextRetryDelay(S);
        var slot = IdleWanted ? TimeSpan.Zero : _polling.PollSlot;
        return PollGrid.Wait(PollGrid.Nearest(started, slot), delay, time.GetUtcNow(), slot);
    }

    /// <summary>
    /// Sets the timer after a poll started at <paramref name="started"/>: <see cref="NextDue"/>, then every interval. While
    /// the silo's session service polls the kept session there is no timer (one timer a mailbox is what the service
    /// saves): the service calls back on a new UID and the session's end, the watchdog reminder's ticks keep the
    /// activation alive and restart the timer if the service lost the session without telling.
    /// </summary>
    private void Schedule(PollResult result, DateTimeOffset started)
    {
        if (Sessions.Polled)
        {
            Clock.Stop();
            DelayDeactivation(KeepActiveFor);
            return;
        }

        Clock.Set(NextDue(result, started), Interval);
    }

    /// <summary>The timer is the poll cadence and the backoff; while the session service holds the session (IDLE or polled) its ticks do nothing (the service calls back).</summary>
    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (!ShouldPoll)
        {
            Clock.Stop();
            return;
        }

        if (Sessions.Watched)
        {
            return;
        }

        await PollAndScheduleAsync(cancellationToken);
    }

    private async Task<CommandResult<MailboxDetails>> SetPausedAsync(string tenantId, bool paused)
    {
        if (!IsTenants(tenantId))
        {
            return CommandError.MailboxNotFound(tenantId, Id);
        }

        S.Paused = paused;
        await state.WriteStateAsync();
        await ApplyScheduleAsync();
        return CommandResult.Ok(Details());
    }

    private async Task ApplyScheduleAsync()
    {
        if (ShouldPoll)
        {
            Clock.Start(TimeSpan.Zero, Interval);
            await Clock.RegisterWatchdogAsync();
        }
        else
        {
            Clock.Stop();
            await Sessions.CloseAsync();
            await Clock.UnregisterWatchdogAsync();
        }

        TrackMetrics();
    }

    /// <summary>Awaits <paramref name="work"/>, then <see cref="EnsureTimer"/> whatever the outcome: a callback that failed must not leave a polled mailbox without a timer.</summary>
    private async Task ThenEnsureTimer(Task work)
    {
        try
        {
            await work;
        }
        finally
        {
            EnsureTimer();
        }
    }

    /// <summary>
    /// Starts the timer when the mailbox is polled, has none, and the session service does not hold its session: the
    /// service lost it without telling, or a call failed before it set the timer.
    /// </summary>
    private void EnsureTimer()
    {
        if (ShouldPoll && !Clock.TimerRunning && !Sessions.Watched)
        {
            Clock.Start(pacer.NextDelay(Interval), Interval);
        }
    }

    private void TrackMetrics()
    {
        var current = CurrentState;
        metrics.Track(Id, current, S.LastError?.Code, _health.ContactDeadline(S, ShouldPoll, Interval, Sessions.LastRoundAt));
        metrics.TrackCredentialExpiry(Id, S.ProtectedCertificate is not null ? "certificate" : "client_secret", MailboxCredentials.CredentialExpiresAt(S));
    }

    private MailboxDetails Details() => new(
        S.ToConfig(Id),
        _health.Status(S, CurrentState, ShouldPoll, Interval, Sessions.LastRoundAt, Sessions.InIdle));
}
