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
/// and the backoff, a reminder as the watchdog that brings the grain back. The work is done elsewhere: the IMAP sync by
/// <see cref="ImapFolderSync"/>, a Graph mailbox's delta round by <see cref="GraphMailboxSync"/>, credentials and sessions
/// by <see cref="MailboxCredentials"/>, health and backoff by <see cref="MailboxHealth"/>, the hand-over by the one
/// ingestion path (<see cref="MailIngestion"/>). The mailbox has at most one open session: kept here between polls, or
/// held by the silo's <see cref="ImapIdleSessions"/> (in IDLE, RFC 2177, or polled on the grid, <see cref="PollWatch"/>),
/// which calls back when the folder changed.
/// </summary>
[GrainType("mailbox")]
public sealed partial class MailboxGrain(
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
    private const string WatchdogReminder = "poll-watchdog";

    private readonly PollingOptions _polling = pollingOptions.Value;
    private readonly MailboxHealth _health = new(pollingOptions.Value, time);
    private IGrainTimer? _timer;
    private bool _pollRunning;
    private bool _idleUnsupported;

    // Set when an IDLE session ended and a new one was opened at once; cleared by the new session's first IDLE round. A
    // session that ends again before that is a failed reconnect and backed off.
    private bool _idleReconnecting;

    // True only during the first contact inside CreateAsync: a baseline set then is the UIDNEXT seen at creation.
    private bool _creationContact;

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

    /// <summary>The stored messages, in a grain of their own that is not kept in memory.</summary>
    private IMailboxMessagesGrain Messages => GrainFactory.GetGrain<IMailboxMessagesGrain>(Id);

    /// <summary>Whether the mailbox exists and belongs to <paramref name="tenantId"/>: a command through another tenant finds no mailbox.</summary>
    private bool IsTenants(string tenantId) => S.Exists && string.Equals(S.TenantId, tenantId, StringComparison.Ordinal);

    private bool ShouldPoll => S.Exists && S.Settings.Enabled && !S.Paused;

    private TimeSpan Interval => TimeSpan.FromSeconds(S.Settings.PollIntervalSeconds);

    /// <summary>How long the activation is kept while the session service polls without calling: the contact window (three intervals, at least three heartbeats).</summary>
    private TimeSpan ContactWindow => 3 * (Interval > _polling.IdleHeartbeat ? Interval : _polling.IdleHeartbeat);

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
            StartTimer(pacer.NextDelay(Interval));
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
        StopTimer();
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
        LogCreated(logger, Id, tenantId);
        if (S.Settings.Enabled)
        {
            await RegisterWatchdogAsync();
            using var contact = new CancellationTokenSource(_polling.InitialContactTimeout);
            var started = time.GetUtcNow();
            _creationContact = true;
            PollResult result;
            try
            {
                result = await PollOnceAsync(_polling.InitialContactTimeout, contact.Token);
            }
            finally
            {
                _creationContact = false;
            }

            Schedule(result, started);
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

        var old = S.Settings;
        var sameSource = string.Equals(old.Host, settings.Host, StringComparison.OrdinalIgnoreCase)
            && old.Port == settings.Port
            && string.Equals(old.Username, settings.Username, StringComparison.Ordinal)
            && string.Equals(old.Folder, settings.Folder, StringComparison.Ordinal);

        // The open session uses the old settings: close it, the timer opens the next one with the new ones.
        await Sessions.CloseAsync();
        credentials.ApplyUpdate(S, settings);
        if (!sameSource)
        {
            // Another folder or server: its UIDs mean nothing here. Its mails received from now on are new; if the old
            // source was never reached, those received since the creation still are (BaselineSince stays).
            if (S.Watermark.IsSet)
            {
                S.BaselineSince = time.GetUtcNow();
            }

            S.Watermark = UidWatermark.None;
            S.PendingBackfill = 0;
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

        StopTimer();
        await Sessions.CloseAsync();
        await UnregisterWatchdogAsync();
        await Messages.ClearAsync();
        await state.ClearStateAsync();
        metrics.Forget(Id);
        LogDeleted(logger, Id);
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

        using var timeout = new CancellationTokenSource(_polling.PollTimeout);
        var started = time.GetUtcNow();
        try
        {
            var result = await PollOnceAsync(_polling.PollTimeout, timeout.Token);
            if (ShouldPoll)
            {
                Schedule(result, started);
            }

            return result;
        }
        finally
        {
            EnsureTimer();
        }
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
            await RegisterWatchdogAsync();
        }
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // The reminder only has to bring the grain back: activation starts the timer. Restart it if it was lost, or if the
        // session service that polled the kept session no longer holds it and could not tell the grain.
        EnsureTimer();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task OnIdleRoundAsync(bool changed)
    {
        try
        {
            await OnRoundAsync(changed);
        }
        finally
        {
            EnsureTimer();
        }
    }

    private async Task OnRoundAsync(bool changed)
    {
        if (!changed && Sessions.Polled && IdleWanted)
        {
            // The IDLE fallback period is over (or IDLE was switched on): the next sync parks the session in IDLE.
            changed = true;
        }

        if (!changed && Sessions.Polled)
        {
            // The session service's heartbeat for a polled session: its empty polls since the last one succeeded.
            DelayDeactivation(ContactWindow);
            if (_health.RecordSuccess(S, uidValidityChanged: false))
            {
                await state.WriteStateAsync();
            }
        }
        else
        {
            _health.Contact();
        }

        _idleReconnecting = false;
        TrackMetrics();
        if (changed && ShouldPoll)
        {
            using var timeout = new CancellationTokenSource(_polling.PollTimeout);
            var started = time.GetUtcNow();
            var result = await PollOnceAsync(_polling.PollTimeout, timeout.Token);
            Schedule(result, started);
        }
    }

    /// <inheritdoc />
    public async Task OnIdleSessionEndedAsync(IdleSessionEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        try
        {
            await OnSessionEndedAsync(end);
        }
        finally
        {
            EnsureTimer();
        }
    }

    private async Task OnSessionEndedAsync(IdleSessionEnd end)
    {
        if (!ShouldPoll || Sessions.Watched)
        {
            // Not wanted any more, or a newer session is already watched (a poll replaced the one that ended).
            return;
        }

        PollResult result;
        var started = time.GetUtcNow();
        if (!IdleWanted)
        {
            // A kept session the service polled: it reached its lifetime (at a due time), dropped or failed. As when the
            // grain's own kept session fails, the poll goes on at once on a new session, unless the server asked to wait.
            using var timeout = new CancellationTokenSource(_polling.PollTimeout);
            result = end.Code == MailboxErrorCodes.Throttled
                ? await RecordFailureAsync(new MailboxAccessException(end.Code, end.Message, retryAfter: end.RetryAfter), _polling.PollTimeout, Stopwatch.GetTimestamp())
                : await PollOnceAsync(_polling.PollTimeout, timeout.Token);
            Schedule(result, started);
            return;
        }

        var sessionEnd = end.Code is null or MailboxErrorCodes.Disconnected or MailboxErrorCodes.ConnectionLost or MailboxErrorCodes.Office365SessionExpired;
        if (sessionEnd && (end.Code is null || end.Rounds > 0 || !_idleReconnecting))
        {
            // The server ended an open session (BYE: a kick, a UIDVALIDITY change, Exchange's token expiry), the
            // connection dropped, or the session reached its lifetime: not a failure of the mailbox. Reconnect at once.
            _idleReconnecting = end.Code is not null;
            LogSessionEnded(logger, Id, end.Code ?? "lifetime");
            using var timeout = new CancellationTokenSource(_polling.PollTimeout);
            result = await PollOnceAsync(_polling.PollTimeout, timeout.Token);
        }
        else
        {
            // The session failed, or a reconnected one ended again before its first IDLE round: backed off.
            _idleReconnecting = false;
            result = await RecordFailureAsync(new MailboxAccessException(end.Code!, end.Message, retryAfter: end.RetryAfter), _polling.PollTimeout, Stopwatch.GetTimestamp());
        }

        Schedule(result, started);
    }

    /// <summary>
    /// One poll. On the open session if there is one (kept here, or taken back from IDLE): NOOP, then the sync; if that
    /// session fails for any reason but throttling, it is closed and the poll goes on with a new one. Afterwards the
    /// session goes into IDLE, is kept, or is logged out. Never throws for expected failures.
    /// </summary>
    private async Task<PollResult> PollOnceAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        _pollRunning = true;
        TrackMetrics();
        try
        {
            return S.Settings.AuthType == MailboxAuthType.Graph
                ? await PollGraphAsync(budget, started, cancellationToken)
                : await PollImapAsync(budget, started, cancellationToken);
        }
        finally
        {
            _pollRunning = false;
            TrackMetrics();
        }
    }

    private async Task<PollResult> PollImapAsync(TimeSpan budget, long started, CancellationToken cancellationToken)
    {
        if (await Sessions.TakeAsync() is { } held)
        {
            try
            {
                // RFC 3501 section 6.1.2: NOOP lets the server report new messages on a session that has been quiet.
                return await SyncAndParkAsync(held, refresh: true, started, cancellationToken);
            }
            catch (MailboxAccessException ex) when (ex.Code != MailboxErrorCodes.Throttled)
            {
                // Dropped by the server (autologout, BYE, Exchange's token expiry) or broken: one new session.
                LogOpenSessionFailed(logger, Id, ex.Code);
            }
            catch (Exception ex) when (ex is MailboxAccessException or OperationCanceledException)
            {
                return await RecordFailureAsync(ex, budget, started);
            }
        }

        try
        {
            var session = await credentials.OpenSessionAsync(S, cancellationToken);
            return await SyncAndParkAsync(new HeldImapSession(session, time.GetUtcNow()), refresh: false, started, cancellationToken);
        }
        catch (Exception ex) when (ex is MailboxAccessException or OperationCanceledException or CryptographicException)
        {
            return await RecordFailureAsync(ex, budget, started);
        }
    }

    /// <summary>Syncs on <paramref name="held"/> (after a NOOP when <paramref name="refresh"/>), then hands it to IDLE, keeps it, or logs it out; closes it when anything throws.</summary>
    private async Task<PollResult> SyncAndParkAsync(HeldImapSession held, bool refresh, long started, CancellationToken cancellationToken)
    {
        ImapSyncResult synced;
        try
        {
            if (refresh)
            {
                await held.Session.NoOpAsync(cancellationToken);
            }

            synced = await folderSync.SyncAsync(held.Session, SyncStart(), Target, cancellationToken);
        }
        catch
        {
            await held.Session.DisposeAsync();
            throw;
        }

        if (IdleWanted && !held.Session.SupportsIdle)
        {
            _idleUnsupported = true;
            LogIdleUnsupported(logger, Id);
        }

        if (IdleWanted)
        {
            _health.IdleStarted();
        }

        // A kept session with nothing more waiting is polled by the silo's session service until something new appears.
        var poll = KeepSessionWanted && _polling.WatchKeptSessions && !synced.MoreWaiting
            ? new PollWatch(Interval, _polling.PollSlot, S.Watermark, PollGrid.Nearest(time.GetUtcNow() - Stopwatch.GetElapsedTime(started), _polling.PollSlot))
            : null;
        await Sessions.ParkAsync(held, synced.FolderCount, idle: IdleWanted, keep: KeepSessionWanted, poll);

        return await RecordSuccessAsync(synced.Stored, synced.UidValidityChanged, synced.MoreWaiting, started);
    }

    private ImapSyncStart SyncStart() => new()
    {
        MailboxId = Id,
        Watermark = S.Watermark,
        PendingBackfill = S.PendingBackfill,
        NewSince = _creationContact ? null : S.BaselineSince ?? S.CreatedAt,
        LastInSyncAt = S.LastSuccessAt ?? S.CreatedAt,
        FetchLimit = _fetchLimit ??= folderSync.NewFetchLimit(),
    };

    private async Task<PollResult> PollGraphAsync(TimeSpan budget, long started, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_health.GraphNotBefore is { } notBefore && now < notBefore)
        {
            var message = $"Microsoft Graph asked for no requests of this mailbox before {notBefore:HH:mm:ss} UTC (Retry-After); nothing was sent.";
            return await RecordFailureAsync(new MailboxAccessException(MailboxErrorCodes.GraphThrottled, message, retryAfter: notBefore - now), budget, started);
        }

        try
        {
            var round = await graphSync.RunAsync(S, Target, () => state.WriteStateAsync(), cancellationToken);
            LogGraphRound(logger, Id, round.Pages, round.HandedOver, round.Restarted, round.MoreWaiting);
            return await RecordSuccessAsync(round.HandedOver, uidValidityChanged: false, round.MoreWaiting, started);
        }
        catch (Exception ex) when (ex is MailboxAccessException or OperationCanceledException or CryptographicException)
        {
            return await RecordFailureAsync(ex, budget, started);
        }
    }

    private async Task<PollResult> RecordSuccessAsync(int stored, bool uidValidityChanged, bool moreWaiting, long started)
    {
        // Every batch already wrote the state; write again only when the visible status changed (or now and then).
        if (_health.RecordSuccess(S, uidValidityChanged))
        {
            await state.WriteStateAsync();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.RecordPoll(elapsed, stored, errorCode: null);
        LogPolled(logger, Id, stored, S.Watermark.UidValidity, S.Watermark.LastUid, elapsed.TotalMilliseconds);
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
            LogIdleFallback(logger, Id, _polling.MaxIdleFailures, _polling.IdleFallbackPeriod.TotalMinutes);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.RecordPoll(elapsed, 0, error.Code);
        TrackMetrics();
        LogPollFailed(logger, Id, error.Code, S.ConsecutiveFailures, elapsed.TotalMilliseconds);
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
    /// saves): the service calls back on a new UID, the session's end and every heartbeat, which keep the activation
    /// alive, and the watchdog reminder restarts the timer if the service lost the session without telling.
    /// </summary>
    private void Schedule(PollResult result, DateTimeOffset started)
    {
        if (Sessions.Polled)
        {
            StopTimer();
            DelayDeactivation(ContactWindow);
            return;
        }

        var due = NextDue(result, started);
        if (_timer is null)
        {
            StartTimer(due);
        }
        else
        {
            _timer.Change(due, Interval);
        }
    }

    /// <summary>The timer is the poll cadence and the backoff; while the session service holds the session (IDLE or polled) its ticks do nothing (the service calls back).</summary>
    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (!ShouldPoll)
        {
            StopTimer();
            return;
        }

        if (Sessions.Watched)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_polling.PollTimeout);
        var started = time.GetUtcNow();
        var result = await PollOnceAsync(_polling.PollTimeout, timeout.Token);
        Schedule(result, started);
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
            StartTimer(TimeSpan.Zero);
            await RegisterWatchdogAsync();
        }
        else
        {
            StopTimer();
            await Sessions.CloseAsync();
            await UnregisterWatchdogAsync();
        }

        TrackMetrics();
    }

    /// <summary>
    /// Starts the timer when the mailbox is polled, has none, and the session service does not hold its session: the
    /// service lost it without telling, or a call failed before it set the timer.
    /// </summary>
    private void EnsureTimer()
    {
        if (ShouldPoll && _timer is null && !Sessions.Watched)
        {
            StartTimer(pacer.NextDelay(Interval));
        }
    }

    private void StartTimer(TimeSpan dueTime)
    {
        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(
            static (grain, ct) => grain.OnTimerAsync(ct),
            this,
            new GrainTimerCreationOptions(dueTime, Interval) { Interleave = false, KeepAlive = true });
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>
    /// Registers the watchdog with its ticks on the silo's poll grid (<see cref="PollGrid"/>): reminder ticks fall at the
    /// reminder's start plus whole periods, so a start on the grid keeps every tick there, in the same bursts as the polls.
    /// </summary>
    private async Task RegisterWatchdogAsync()
    {
        var now = time.GetUtcNow();
        var due = PollGrid.AlignUp(now + _polling.WatchdogPeriod, _polling.PollSlot) - now;
        await this.RegisterOrUpdateReminder(WatchdogReminder, due, _polling.WatchdogPeriod);
    }

    private async Task UnregisterWatchdogAsync()
    {
        if (await this.GetReminder(WatchdogReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private void TrackMetrics()
    {
        var current = CurrentState;
        metrics.Track(Id, current, S.LastError?.Code, _health.ContactDeadline(S, ShouldPoll, Interval));
        metrics.TrackCredentialExpiry(Id, S.ProtectedCertificate is not null ? "certificate" : "client_secret", MailboxCredentials.CredentialExpiresAt(S));
    }

    private MailboxDetails Details()
    {
        var status = new MailboxStatus
        {
            State = CurrentState,
            LastPollAt = Later(S.LastPollAt, Sessions.LastRoundAt),
            LastSuccessAt = S.LastSuccessAt,
            LastError = S.LastError,
            MessagesFetched = S.MessagesFetched,
            Watermark = S.Watermark,
            ConsecutiveFailures = S.ConsecutiveFailures,
            LastContactAt = Later(_health.LastContactAt, Sessions.LastRoundAt),
            Healthy = _health.ContactDeadline(S, ShouldPoll, Interval) is not { } deadline || deadline >= time.GetUtcNow(),
            IdleActive = Sessions.InIdle,
            NextAttemptAt = S.LastError is null ? null : _health.NextAttemptAt,
        };
        return new MailboxDetails(S.ToConfig(Id), status);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null || a >= b ? a : b;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Mailbox {MailboxId} created for tenant {TenantId}")]
    private static partial void LogCreated(ILogger logger, string mailboxId, string tenantId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Mailbox {MailboxId} deleted")]
    private static partial void LogDeleted(ILogger logger, string mailboxId);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Mailbox {MailboxId} synced: {Count} new, watermark {UidValidity}/{LastUid}, {DurationMs:0.0} ms")]
    private static partial void LogPolled(ILogger logger, string mailboxId, int count, uint uidValidity, uint lastUid, double durationMs);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Mailbox {MailboxId} poll failed with {Code} ({Failures} in a row), {DurationMs:0.0} ms")]
    private static partial void LogPollFailed(ILogger logger, string mailboxId, string code, int failures, double durationMs);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: the server does not offer IDLE; polling instead")]
    private static partial void LogIdleUnsupported(ILogger logger, string mailboxId);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: {Failures} IDLE attempts failed in a row; polling for {Minutes:0} min instead")]
    private static partial void LogIdleFallback(ILogger logger, string mailboxId, int failures, double minutes);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Debug, Message = "Mailbox {MailboxId}: the open IMAP session failed with {Code}; opening a new one")]
    private static partial void LogOpenSessionFailed(ILogger logger, string mailboxId, string code);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information, Message = "Mailbox {MailboxId}: the IDLE session ended ({Code}); reconnecting at once")]
    private static partial void LogSessionEnded(ILogger logger, string mailboxId, string code);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Debug, Message = "Graph mailbox {MailboxId}: {Pages} delta pages, {Count} new, link expired and restarted {Restarted}, more waiting {MoreWaiting}")]
    private static partial void LogGraphRound(ILogger logger, string mailboxId, int pages, int count, bool restarted, bool moreWaiting);
}
