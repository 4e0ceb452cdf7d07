using AlarmInbox.Grains.Auth;
using AlarmInbox.Grains.Diagnostics;
using AlarmInbox.Grains.Graph;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Ingestion;
using AlarmInbox.Grains.Secrets;
using AlarmInbox.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// Orchestrates one mailbox: persisted config and watermark; an IDLE session (RFC 2177) as a background loop on the
/// grain's scheduler where the server offers it, otherwise a grain timer that polls at the configured interval; a
/// reminder as the watchdog that brings the grain back. IMAP access is <see cref="IImapConnector"/>; fetched mails go
/// through the one ingestion path, <see cref="MailIngestion"/>. The fetch-and-store logic is in <c>MailboxGrain.Sync.cs</c>,
/// the IDLE loop in <c>MailboxGrain.Idle.cs</c>; Graph mailboxes poll by delta query instead (<c>MailboxGrain.Graph.cs</c>).
/// </summary>
[GrainType("mailbox")]
public sealed partial class MailboxGrain(
    [PersistentState("mailbox", StorageNames.Default)] IPersistentState<MailboxGrainState> state,
    IImapConnector connector,
    MailIngestion ingestion,
    ISecretProtector secrets,
    TimeProvider time,
    IPollStepObserver stepObserver,
    IOptions<PollingOptions> pollingOptions,
    IOptions<ImapOptions> imapOptions,
    ILogger<MailboxGrain> logger,
    Office365SessionOpener office365,
    ConnectionTester tester,
    IOptions<Office365Options> office365Options,
    MailboxMetrics metrics,
    FirstPollPacer pacer,
    GraphDeltaSync graphSync,
    ImapFolderSync folderSync) : Grain, IMailboxGrain, IRemindable, IImapSyncTarget
{
    private const string WatchdogReminder = "poll-watchdog";

    private readonly PollingOptions _polling = pollingOptions.Value;
    private readonly ImapOptions _imap = imapOptions.Value;

    // One sync (search, fetch, store) at a time: the IDLE loop, the timer and PollNowAsync all go through it.
    private readonly SemaphoreSlim _syncGate = new(1, 1);
    private IGrainTimer? _timer;
    private bool _pollRunning;
    private DateTimeOffset? _lastContactAt;
    private DateTimeOffset? _nextAttemptAt;

    private MailboxGrainState S => state.State;

    /// <summary>The stored messages, in a grain of their own that is not kept in memory.</summary>
    private IMailboxMessagesGrain Messages => GrainFactory.GetGrain<IMailboxMessagesGrain>(this.GetPrimaryKeyString());

    private bool ShouldPoll => S.Exists && S.Settings.Enabled && !S.Paused;

    private TimeSpan Interval => TimeSpan.FromSeconds(S.Settings.PollIntervalSeconds);

    private MailboxState CurrentState => _pollRunning ? MailboxState.Polling
        : !ShouldPoll ? MailboxState.Paused
        : S.LastError is not null ? MailboxState.Failing
        : MailboxState.Idle;

    /// <summary>
    /// When the mailbox counts as out of contact: three intervals (at least three IDLE heartbeats) after the last
    /// contact; <see langword="null"/> when it is not polled. Never reached and failing is out of contact at once; never
    /// reached and not failing gets the grace of the window.
    /// </summary>
    private DateTimeOffset? ContactDeadline => !ShouldPoll ? null
        : _lastContactAt is { } contact ? contact + HealthyWindow
        : S.LastError is null ? S.CreatedAt + HealthyWindow
        : DateTimeOffset.MinValue;

    private void TrackMetrics(MailboxState state)
    {
        metrics.Track(this.GetPrimaryKeyString(), state, S.LastError?.Code, ContactDeadline);
        metrics.TrackCredentialExpiry(
            this.GetPrimaryKeyString(),
            S.ProtectedCertificate is not null ? "certificate" : "client_secret",
            !UsesAppRegistration(S.Settings.AuthType) ? null
                : S.ProtectedCertificate is not null ? S.CertificateExpiresAt
                : S.ProtectedClientSecret is not null ? S.Settings.Office365?.ClientSecretExpiresAt
                : null);
    }

    private TimeSpan HealthyWindow => 3 * (Interval > _polling.IdleHeartbeat ? Interval : _polling.IdleHeartbeat);

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lastContactAt = S.LastSuccessAt;
        FillInCertificateExpiry();
        if (ShouldPoll)
        {
            StartTimer(FirstDueTime());
        }

        TrackMetrics(CurrentState);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Forget(this.GetPrimaryKeyString());
        await StopIdleLoopAsync();
        StopTimer();
        await CloseKeptSessionAsync();
    }

    /// <inheritdoc />
    public async Task<MailboxDetails> CreateAsync(string tenantId, MailboxSettings settings, int backfill)
    {
        settings = MailboxSettingsValidator.Normalize(settings);
        ThrowIfInvalid(settings, requirePassword: true);
        if (backfill is < 0 or > MailboxLimits.MaxBackfill)
        {
            throw new ArgumentOutOfRangeException(nameof(backfill), backfill, $"backfill must be between 0 and {MailboxLimits.MaxBackfill}.");
        }

        if (S.Exists)
        {
            throw new InvalidOperationException($"Mailbox {this.GetPrimaryKeyString()} already exists.");
        }

        state.State = new MailboxGrainState
        {
            Exists = true,
            TenantId = tenantId,
            Settings = WithoutSecrets(settings),
            ProtectedPassword = settings.Password is { } password ? secrets.Protect(password) : null,
            CreatedAt = time.GetUtcNow(),
            PendingBackfill = backfill,
        };
        S.BaselineSince = S.CreatedAt;
        StoreOffice365Secrets(settings);
        await PersistAsync();
        LogCreated(logger, this.GetPrimaryKeyString(), tenantId);

        if (S.Settings.Enabled)
        {
            await RegisterWatchdogAsync();
            using var contact = new CancellationTokenSource(_polling.InitialContactTimeout);
            PollResult result;
            _creationContact = true;
            try
            {
                result = await PollOnceAsync(_polling.InitialContactTimeout, contact.Token);
            }
            finally
            {
                _creationContact = false;
            }

            StartTimer(!result.Succeeded ? NextRetryDelay(result) : IdleWanted ? TimeSpan.Zero : Interval);
        }

        return Details();
    }

    /// <inheritdoc />
    public async Task<MailboxDetails?> UpdateAsync(MailboxSettings settings)
    {
        if (!S.Exists)
        {
            return null;
        }

        settings = MailboxSettingsValidator.Normalize(settings);
        ThrowIfInvalid(settings, requirePassword: settings.AuthType != S.Settings.AuthType);
        var old = S.Settings;
        var sameSource = string.Equals(old.Host, settings.Host, StringComparison.OrdinalIgnoreCase)
            && old.Port == settings.Port
            && string.Equals(old.Username, settings.Username, StringComparison.Ordinal)
            && string.Equals(old.Folder, settings.Folder, StringComparison.Ordinal);

        // The running session uses the old settings: end it, the timer starts the next one with the new ones.
        await StopIdleLoopAsync();
        await CloseKeptSessionAsync();
        S.Settings = WithoutSecrets(settings);
        if (settings.Password is not null)
        {
            S.ProtectedPassword = secrets.Protect(settings.Password);
        }

        ApplyOffice365Update(old, settings);
        if (S.Settings.Office365 is { } app)
        {
            // Saved again, maybe after a fix outside AlarmInbox (admin consent): the cached token may be renewed once.
            office365.Forget(app);
        }

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

        S.LastError = null;
        S.ConsecutiveFailures = 0;
        _nextAttemptAt = null;
        _idleFallbackUntil = null;
        _idleFailures = 0;
        await PersistAsync();
        await ApplyScheduleAsync();
        return Details();
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

        await StopIdleLoopAsync();
        StopTimer();
        await CloseKeptSessionAsync();
        await UnregisterWatchdogAsync();
        await Messages.ClearAsync();
        await state.ClearStateAsync();
        metrics.Forget(this.GetPrimaryKeyString());
        LogDeleted(logger, this.GetPrimaryKeyString());
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

        if (IsIdleLoopRunning)
        {
            // The IDLE session is the one connection of this mailbox: ask it to look now instead of opening another.
            return await RequestIdleSyncAsync();
        }

        using var timeout = new CancellationTokenSource(_polling.PollTimeout);
        var result = await PollOnceAsync(_polling.PollTimeout, timeout.Token);
        if (ShouldPoll)
        {
            _timer?.Change(result.MoreWaiting ? TimeSpan.Zero : result.Succeeded ? Interval : NextRetryDelay(result), Interval);
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<MailboxDetails?> PauseAsync()
    {
        if (!S.Exists)
        {
            return null;
        }

        S.Paused = true;
        await PersistAsync();
        await ApplyScheduleAsync();
        return Details();
    }

    /// <inheritdoc />
    public async Task<MailboxDetails?> ResumeAsync()
    {
        if (!S.Exists)
        {
            return null;
        }

        S.Paused = false;
        await PersistAsync();
        await ApplyScheduleAsync();
        return Details();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MailMessage>?> GetMessagesAsync(int limit)
    {
        if (!S.Exists)
        {
            return null;
        }

        return await Messages.GetNewestAsync(limit, S.Watermark.UidValidity);
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
        // The reminder only has to bring the grain back: activation starts the timer. Restart it if it was lost.
        if (ShouldPoll && _timer is null)
        {
            StartTimer(FirstDueTime());
        }

        return Task.CompletedTask;
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
            await StopIdleLoopAsync();
            StopTimer();
            await CloseKeptSessionAsync();
            await UnregisterWatchdogAsync();
        }

        TrackMetrics(CurrentState);
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

    private TimeSpan FirstDueTime() => pacer.NextDelay(Interval);

    private async Task RegisterWatchdogAsync() =>
        await this.RegisterOrUpdateReminder(WatchdogReminder, _polling.WatchdogPeriod, _polling.WatchdogPeriod);

    private async Task UnregisterWatchdogAsync()
    {
        var reminder = await this.GetReminder(WatchdogReminder);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>
    /// The timer is the cadence of plain polling and the watchdog of the IDLE loop: when IDLE is wanted and possible,
    /// it (re)starts the loop; otherwise it polls once and sets its next due time (interval, or the backoff).
    /// </summary>
    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (!ShouldPoll)
        {
            StopTimer();
            return;
        }

        if (IsIdleLoopRunning)
        {
            return;
        }

        if (IdleWanted && (_nextAttemptAt is null || time.GetUtcNow() >= _nextAttemptAt))
        {
            // The IDLE session becomes the mailbox's one connection.
            await CloseKeptSessionAsync();
            StartIdleLoop();
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_polling.PollTimeout);
        var result = await PollOnceAsync(_polling.PollTimeout, timeout.Token);
        _timer?.Change(result.MoreWaiting ? TimeSpan.Zero : result.Succeeded ? Interval : NextRetryDelay(result), Interval);
    }

    private TimeSpan NextRetryDelay(PollResult failed)
    {
        var delay = Backoff.NextDelay(_polling, Math.Max(1, S.ConsecutiveFailures), failed.Error?.Code ?? MailboxErrorCodes.Unexpected, _lastRetryAfter, Random.Shared.NextDouble());
        _nextAttemptAt = time.GetUtcNow() + delay;
        return delay;
    }

    private void ThrowIfInvalid(MailboxSettings settings, bool requirePassword)
    {
        var errors = MailboxSettingsValidator.Validate(settings, requirePassword);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors.SelectMany(e => e.Value)), nameof(settings));
        }
    }

    private MailboxDetails Details()
    {
        var config = new MailboxConfig
        {
            Id = this.GetPrimaryKeyString(),
            TenantId = S.TenantId,
            DisplayName = S.Settings.DisplayName,
            Host = S.Settings.Host,
            Port = S.Settings.Port,
            Security = S.Settings.Security,
            Username = S.Settings.Username,
            HasPassword = S.ProtectedPassword is not null,
            Folder = S.Settings.Folder,
            PollIntervalSeconds = S.Settings.PollIntervalSeconds,
            Enabled = S.Settings.Enabled,
            CreatedAt = S.CreatedAt,
            UseIdle = S.Settings.UseIdle,
            AuthType = S.Settings.AuthType,
            Office365 = S.Settings.Office365 is { } o365
                ? new Office365Config(o365.Tenant, o365.ClientId, o365.Scope, o365.AuthorityHost, S.ProtectedClientSecret is not null, S.ProtectedCertificate is not null)
                {
                    ClientSecretExpiresAt = S.ProtectedClientSecret is null ? null : o365.ClientSecretExpiresAt,
                    CertificateExpiresAt = S.ProtectedCertificate is null ? null : S.CertificateExpiresAt,
                }
                : null,
            PinnedCertificateSha256 = S.Settings.PinnedCertificateSha256,
        };
        var now = time.GetUtcNow();
        var status = new MailboxStatus
        {
            State = CurrentState,
            LastPollAt = S.LastPollAt,
            LastSuccessAt = S.LastSuccessAt,
            LastError = S.LastError,
            MessagesFetched = S.MessagesFetched,
            Watermark = S.Watermark,
            ConsecutiveFailures = S.ConsecutiveFailures,
            LastContactAt = _lastContactAt,
            // Never reached and failing is unhealthy at once; never reached and not failing gets the grace of the window.
            Healthy = ContactDeadline is not { } deadline || deadline >= now,
            IdleActive = _idleSessionOpen,
            NextAttemptAt = S.LastError is null ? null : _nextAttemptAt,
        };
        return new MailboxDetails(config, status);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Mailbox {MailboxId} created for tenant {TenantId}")]
    private static partial void LogCreated(ILogger logger, string mailboxId, string tenantId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Mailbox {MailboxId} deleted")]
    private static partial void LogDeleted(ILogger logger, string mailboxId);
}
