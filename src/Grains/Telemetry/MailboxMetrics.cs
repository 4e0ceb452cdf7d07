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
    private readonly ConcurrentDictionary<string, (MailboxState State, string? ErrorCode, DateTimeOffset? ContactDeadline)> _states = new(StringComparer.Ordinal);

    /// <summary>Bucket bounds of the poll duration in milliseconds: a kept-session poll takes a few ms, a login poll 20–500 ms, a big fetch seconds.</summary>
    public static readonly IReadOnlyList<double> PollDurationBuckets = [2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000];

    /// <summary>Bucket bounds of the login wait in milliseconds (usually 0; seconds when many mailboxes share a server).</summary>
    public static readonly IReadOnlyList<double> LoginWaitBuckets = [1, 5, 25, 100, 250, 1_000, 2_500, 5_000, 10_000];

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (string Credential, DateTimeOffset ExpiresAt)> _credentials = new(StringComparer.Ordinal);

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public MailboxMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        _meter = meterFactory.Create(MeterName);
        _polls = _meter.CreateCounter<long>("alarminbox.mailbox.polls", "{poll}", "Polls of IMAP mailboxes, by outcome (success or error).");
        _pollDuration = _meter.CreateHistogram("alarminbox.mailbox.poll.duration", "ms", "Duration of one poll, connect (or kept session) to the stored watermark.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PollDurationBuckets });
        _messagesFetched = _meter.CreateCounter<long>("alarminbox.mailbox.messages.fetched", "{message}", "New messages fetched and stored.");
        _errors = _meter.CreateCounter<long>("alarminbox.mailbox.poll.errors", "{error}", "Failed polls, by error code (see docs/errors.md).");
        _sessions = _meter.CreateUpDownCounter<long>("alarminbox.imap.sessions", "{session}", "IMAP sessions open on this silo (kept polling sessions, IDLE sessions and polls in progress).");
        _loginWait = _meter.CreateHistogram("alarminbox.imap.login.wait", "ms", "Time a poll waited for its turn to connect and log in (AlarmInbox:Imap:MaxConcurrentLoginsPerHost).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LoginWaitBuckets });
        _meter.CreateObservableGauge("alarminbox.mailboxes", ObserveStates, "{mailbox}", "Mailboxes active on this silo, by state.");
        _meter.CreateObservableGauge("alarminbox.mailboxes.out_of_contact", ObserveOutOfContact, "{mailbox}", "Polled mailboxes active on this silo whose server has not answered for three poll intervals (or three IDLE heartbeats).");
        _meter.CreateObservableGauge("alarminbox.office365.credential.expiry", ObserveCredentialExpiry, "d",
            "Days until the Office 365 client secret or certificate of a mailbox active on this silo expires (negative: expired), by mailbox and credential; only where the expiry is known.");
        _meter.CreateObservableGauge("alarminbox.mailboxes.failing", ObserveErrorCodes, "{mailbox}", "Failing mailboxes active on this silo, by the error code of their last poll (see docs/errors.md).");
    }

    /// <summary>Records one finished poll.</summary>
    /// <param name="duration">How long it took.</param>
    /// <param name="messages">New messages stored.</param>
    /// <param name="errorCode">The error code, or <see langword="null"/> for a successful poll.</param>
    public void RecordPoll(TimeSpan duration, int messages, string? errorCode)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", errorCode is null ? "success" : "error");
        _polls.Add(1, outcome);
        _pollDuration.Record(duration.TotalMilliseconds, outcome);
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
    public void RecordLoginWait(TimeSpan wait) => _loginWait.Record(wait.TotalMilliseconds);

    /// <summary>Sets the state of a mailbox active on this silo, and the error code of its last poll when it is failing.</summary>
    /// <param name="mailboxId">The mailbox.</param>
    /// <param name="state">Its state now.</param>
    /// <param name="errorCode">The error code of its last poll, if that failed.</param>
    /// <param name="contactDeadline">When it counts as out of contact unless the server answers again (three intervals after the last contact); <see langword="null"/> when it is not polled.</param>
    public void Track(string mailboxId, MailboxState state, string? errorCode = null, DateTimeOffset? contactDeadline = null) =>
        _states[mailboxId] = (state, state == MailboxState.Failing ? errorCode : null, contactDeadline);

    /// <summary>
    /// The server of a tracked, polled mailbox answered: moves its out-of-contact deadline out to
    /// <paramref name="deadline"/> (never back). For a session polled outside the grain (<see cref="Mailboxes.PollWatch"/>),
    /// whose empty rounds make no grain call. An untracked or unpolled mailbox is left as it is.
    /// </summary>
    public void Contacted(string mailboxId, DateTimeOffset deadline)
    {
        if (_states.TryGetValue(mailboxId, out var tracked) && tracked.ContactDeadline is { } old && old < deadline)
        {
            _states.TryUpdate(mailboxId, (tracked.State, tracked.ErrorCode, deadline), tracked);
        }
    }

    /// <summary>Sets when the Office 365 credential of a mailbox expires; <see langword="null"/> when unknown or not an Office 365 mailbox.</summary>
    /// <param name="mailboxId">The mailbox.</param>
    /// <param name="credential"><c>client_secret</c> or <c>certificate</c>.</param>
    /// <param name="expiresAt">When it expires.</param>
    public void TrackCredentialExpiry(string mailboxId, string credential, DateTimeOffset? expiresAt)
    {
        if (expiresAt is { } at)
        {
            _credentials[mailboxId] = (credential, at);
        }
        else
        {
            _credentials.TryRemove(mailboxId, out _);
        }
    }

    /// <summary>Forgets a mailbox that was deactivated or deleted.</summary>
    public void Forget(string mailboxId)
    {
        _states.TryRemove(mailboxId, out _);
        _credentials.TryRemove(mailboxId, out _);
    }

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
        foreach (var (state, _, _) in _states.Values)
        {
            counts[state] = counts.GetValueOrDefault(state) + 1;
        }

        return counts.Select(c => new Measurement<int>(c.Value, new KeyValuePair<string, object?>("state", c.Key.ToString())));
    }

    private IEnumerable<Measurement<int>> ObserveErrorCodes() =>
        _states.Values
            .Where(s => s.State == MailboxState.Failing)
            .GroupBy(s => s.ErrorCode ?? MailboxErrorCodes.Unexpected, StringComparer.Ordinal)
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("code", g.Key)));

    private IEnumerable<Measurement<double>> ObserveCredentialExpiry()
    {
        var now = _time.GetUtcNow();
        return _credentials.Select(c => new Measurement<double>(
            Math.Round((c.Value.ExpiresAt - now).TotalDays, 2),
            new KeyValuePair<string, object?>("mailbox", c.Key),
            new KeyValuePair<string, object?>("credential", c.Value.Credential)));
    }

    private int ObserveOutOfContact()
    {
        var now = _time.GetUtcNow();
        return _states.Values.Count(s => s.ContactDeadline < now);
    }
}
