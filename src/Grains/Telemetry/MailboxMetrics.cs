using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Telemetry;

/// <summary>
/// The <c>AlarmInbox</c> meter of a silo: polls, poll duration, messages fetched, poll errors by code, and the
/// mailboxes active on this silo by state. One instance per silo; mailbox grains report to it.
/// </summary>
public sealed class MailboxMetrics : IDisposable
{
    /// <summary>The meter name to enable in OpenTelemetry.</summary>
    public const string MeterName = "AlarmInbox";

    private readonly Meter _meter;
    private readonly Counter<long> _polls;
    private readonly Histogram<double> _pollDuration;
    private readonly Counter<long> _messagesFetched;
    private readonly Counter<long> _errors;
    private readonly UpDownCounter<long> _sessions;
    private readonly Histogram<double> _loginWait;
    private readonly ConcurrentDictionary<string, MailboxState> _states = new(StringComparer.Ordinal);

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public MailboxMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _polls = _meter.CreateCounter<long>("alarminbox.mailbox.polls", "{poll}", "Polls of IMAP mailboxes, by outcome (success or error).");
        _pollDuration = _meter.CreateHistogram<double>("alarminbox.mailbox.poll.duration", "s", "Duration of one poll, connect to disconnect.");
        _messagesFetched = _meter.CreateCounter<long>("alarminbox.mailbox.messages.fetched", "{message}", "New messages fetched and stored.");
        _errors = _meter.CreateCounter<long>("alarminbox.mailbox.poll.errors", "{error}", "Failed polls, by error code (see docs/errors.md).");
        _sessions = _meter.CreateUpDownCounter<long>("alarminbox.imap.sessions", "{session}", "IMAP sessions open on this silo (kept polling sessions, IDLE sessions and polls in progress).");
        _loginWait = _meter.CreateHistogram<double>("alarminbox.imap.login.wait", "s", "Time a poll waited for its turn to connect and log in (AlarmInbox:Imap:MaxConcurrentLoginsPerHost).");
        _meter.CreateObservableGauge("alarminbox.mailboxes", ObserveStates, "{mailbox}", "Mailboxes active on this silo, by state.");
    }

    /// <summary>Records one finished poll.</summary>
    /// <param name="duration">How long it took.</param>
    /// <param name="messages">New messages stored.</param>
    /// <param name="errorCode">The error code, or <see langword="null"/> for a successful poll.</param>
    public void RecordPoll(TimeSpan duration, int messages, string? errorCode)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", errorCode is null ? "success" : "error");
        _polls.Add(1, outcome);
        _pollDuration.Record(duration.TotalSeconds, outcome);
        if (messages > 0)
        {
            _messagesFetched.Add(messages);
        }

        if (errorCode is not null)
        {
            _errors.Add(1, new KeyValuePair<string, object?>("code", errorCode));
        }
    }

    /// <summary>Counts an IMAP session that was opened.</summary>
    public void SessionOpened() => _sessions.Add(1);

    /// <summary>Counts an IMAP session that was closed.</summary>
    public void SessionClosed() => _sessions.Add(-1);

    /// <summary>Records how long a poll waited for its login turn.</summary>
    public void RecordLoginWait(TimeSpan wait) => _loginWait.Record(wait.TotalSeconds);

    /// <summary>Sets the state of a mailbox active on this silo.</summary>
    public void Track(string mailboxId, MailboxState state) => _states[mailboxId] = state;

    /// <summary>Forgets a mailbox that was deactivated or deleted.</summary>
    public void Forget(string mailboxId) => _states.TryRemove(mailboxId, out _);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<int>> ObserveStates()
    {
        var counts = new Dictionary<MailboxState, int>
        {
            [MailboxState.Idle] = 0,
            [MailboxState.Polling] = 0,
            [MailboxState.Paused] = 0,
            [MailboxState.Failing] = 0,
        };
        foreach (var state in _states.Values)
        {
            counts[state] = counts.GetValueOrDefault(state) + 1;
        }

        return counts.Select(c => new Measurement<int>(c.Value, new KeyValuePair<string, object?>("state", c.Key.ToString())));
    }
}
