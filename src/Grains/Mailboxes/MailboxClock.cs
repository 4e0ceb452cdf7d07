namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// A mailbox grain's two clocks: the grain timer that is the poll cadence and the backoff while the grain is active
/// (not interleaved, keeps the activation alive), and the watchdog reminder that brings the grain back after deactivation
/// or silo loss, its ticks on the silo's poll grid (<see cref="PollGrid"/>). Plain object owned by the grain and used
/// only in its turns.
/// </summary>
/// <param name="grain">The mailbox grain.</param>
/// <param name="onTick">What a timer tick runs, in a grain turn.</param>
/// <param name="options">The polling options (<see cref="PollingOptions.WatchdogPeriod"/>, <see cref="PollingOptions.PollSlot"/>).</param>
/// <param name="time">The clock.</param>
public sealed class MailboxClock(Grain grain, Func<CancellationToken, Task> onTick, PollingOptions options, TimeProvider time)
{
    private const string WatchdogReminder = "poll-watchdog";

    private IGrainTimer? _timer;

    /// <summary>Whether the timer runs.</summary>
    public bool TimerRunning => _timer is not null;

    /// <summary>Starts the timer anew: first tick after <paramref name="due"/>, then every <paramref name="period"/>.</summary>
    public void Start(TimeSpan due, TimeSpan period)
    {
        _timer?.Dispose();
        _timer = grain.RegisterGrainTimer(
            static (tick, ct) => tick(ct),
            onTick,
            new GrainTimerCreationOptions(due, period) { Interleave = false, KeepAlive = true });
    }

    /// <summary>Moves the next tick to <paramref name="due"/> from now (starting the timer if it is stopped), then every <paramref name="period"/>.</summary>
    public void Set(TimeSpan due, TimeSpan period)
    {
        if (_timer is null)
        {
            Start(due, period);
        }
        else
        {
            _timer.Change(due, period);
        }
    }

    /// <summary>Stops the timer.</summary>
    public void Stop()
    {
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>
    /// Registers the watchdog with its ticks on the silo's poll grid: reminder ticks fall at the reminder's start plus
    /// whole periods, so a start on the grid keeps every tick there, in the same bursts as the polls.
    /// </summary>
    public async Task RegisterWatchdogAsync()
    {
        var now = time.GetUtcNow();
        var due = PollGrid.AlignUp(now + options.WatchdogPeriod, options.PollSlot) - now;
        await grain.RegisterOrUpdateReminder(WatchdogReminder, due, options.WatchdogPeriod);
    }

    /// <summary>Removes the watchdog, if there is one.</summary>
    public async Task UnregisterWatchdogAsync()
    {
        if (await grain.GetReminder(WatchdogReminder) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }
    }
}
