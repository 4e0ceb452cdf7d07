using System.Text;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Tests.Mailboxes;

/// <summary>
/// An in-memory <see cref="IImapSession"/> over a scripted folder, for the sync algorithm's own tests: messages with
/// chosen UIDs and dates, a chosen UIDVALIDITY and UIDNEXT, failures injected per command, and a log of the commands
/// (no IMAP server involved).
/// </summary>
public sealed class ScriptedImapSession : IImapSession
{
    private readonly List<Message> _messages = [];

    // The session service's tests add messages while its loop searches.
    private readonly Lock _gate = new();
    private int _searches;
    private int _disposed;

    /// <summary>One message of the scripted folder.</summary>
    /// <param name="Uid">Its UID.</param>
    /// <param name="MessageId">Its Message-ID, also its subject.</param>
    /// <param name="InternalDate">Its INTERNALDATE.</param>
    /// <param name="Padding">Characters added to its body, to make it large.</param>
    public sealed record Message(uint Uid, string MessageId, DateTimeOffset InternalDate, int Padding = 0)
    {
        /// <summary>The raw MIME of the message.</summary>
        public byte[] Raw => Encoding.ASCII.GetBytes($"Message-ID: <{MessageId}>\r\nSubject: {MessageId}\r\n\r\nbody\r\n" + new string('x', Padding));
    }

    /// <inheritdoc />
    public uint UidValidity { get; set; } = 1000;

    /// <inheritdoc />
    public uint? UidNext { get; set; }

    /// <inheritdoc />
    public int Count => _messages.Count;

    /// <inheritdoc />
    public bool SupportsIdle { get; set; } = true;

    /// <summary>The commands received, e.g. <c>SEARCH 5</c>, <c>SIZES 6,7</c>, <c>FETCH 6,7</c>, <c>ENVELOPES 1-3</c>.</summary>
    public List<string> Commands { get; } = [];

    /// <summary>How many UID SEARCH commands the session received (thread-safe, unlike <see cref="Commands"/>).</summary>
    public int Searches => Volatile.Read(ref _searches);

    /// <summary>Whether the session was logged out (disposed).</summary>
    public bool Disposed => Volatile.Read(ref _disposed) == 1;

    /// <summary>Makes every NOOP fail with this error code from now on; <see langword="null"/>: NOOP succeeds.</summary>
    public string? FailNoOpWith { get; set; }

    /// <summary>Makes the n-th FETCH (1-based) of bodies fail with <c>connection_lost</c>.</summary>
    public int? FailFetchNumber { get; set; }

    /// <summary>UIDs that are expunged between the search and the fetch (the fetch leaves them out).</summary>
    public HashSet<uint> ExpungedBeforeFetch { get; } = [];

    /// <summary>
    /// A FETCH of more bytes than this (the messages' sizes, each up to the limit asked for) is slower than any poll's
    /// budget: it waits until the caller cancels it, like a large part on a slow link.
    /// </summary>
    public long? SlowAboveBytes { get; set; }

    /// <summary>Called when a FETCH above <see cref="SlowAboveBytes"/> starts waiting: the test ends the poll's budget there.</summary>
    public Action? OnSlowFetch { get; set; }

    private int _fetches;

    /// <summary>Adds a message of about <paramref name="bytes"/> bytes with UID <paramref name="uid"/>; UIDNEXT moves past it.</summary>
    public ScriptedImapSession WithLarge(DateTimeOffset at, uint uid, int bytes)
    {
        _messages.Add(new Message(uid, $"m{uid}@v{UidValidity}.test", at, bytes));
        _messages.Sort((a, b) => a.Uid.CompareTo(b.Uid));
        UidNext = Math.Max(UidNext ?? 1, _messages[^1].Uid + 1);
        return this;
    }

    /// <summary>Adds messages with the given UIDs, received at <paramref name="at"/> plus one second per message; UIDNEXT moves past them.</summary>
    public ScriptedImapSession With(DateTimeOffset at, params uint[] uids)
    {
        lock (_gate)
        {
            foreach (var uid in uids)
            {
                _messages.Add(new Message(uid, $"m{uid}@v{UidValidity}.test", at));
                at = at.AddSeconds(1);
            }

            _messages.Sort((a, b) => a.Uid.CompareTo(b.Uid));
            UidNext = _messages.Count == 0 ? UidNext : Math.Max(UidNext ?? 1, _messages[^1].Uid + 1);
        }

        return this;
    }

    /// <summary>Renumbers the folder under a new UIDVALIDITY (as a server does after a rebuild): the same messages, new UIDs from 1.</summary>
    public void Renumber(uint uidValidity)
    {
        UidValidity = uidValidity;
        var renumbered = _messages.Select((m, i) => m with { Uid = (uint)(i + 1) }).ToList();
        _messages.Clear();
        _messages.AddRange(renumbered);
        UidNext = (uint)_messages.Count + 1;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<uint>> SearchUidsAfterAsync(uint afterUid, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Commands.Add($"SEARCH {afterUid}");
            Interlocked.Increment(ref _searches);
            return Task.FromResult<IReadOnlyList<uint>>(_messages.Where(m => m.Uid > afterUid).Select(m => m.Uid).ToList());
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MailSummary>> FetchSummariesAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken)
    {
        Commands.Add("SIZES " + string.Join(',', uids));
        return Task.FromResult<IReadOnlyList<MailSummary>>(_messages
            .Where(m => uids.Contains(m.Uid) && !ExpungedBeforeFetch.Contains(m.Uid))
            .Select(m => new MailSummary(m.Uid, m.Raw.Length, m.InternalDate))
            .ToList());
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FetchedMail>> FetchAsync(IReadOnlyList<MailSummary> mails, int maxBytes, CancellationToken cancellationToken)
    {
        Commands.Add("FETCH " + string.Join(',', mails.Select(m => m.Uid)));
        if (++_fetches == FailFetchNumber)
        {
            throw new MailboxAccessException(MailboxErrorCodes.ConnectionLost, "The connection was lost (scripted).");
        }

        if (SlowAboveBytes is { } slow && mails.Sum(m => Math.Min(m.Size, maxBytes)) > slow)
        {
            OnSlowFetch?.Invoke();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return _messages
            .Where(m => mails.Any(f => f.Uid == m.Uid) && !ExpungedBeforeFetch.Contains(m.Uid))
            .Select(m => m.Raw.Length > maxBytes
                ? new FetchedMail(m.Uid, m.InternalDate, m.Raw.Length, m.Raw[..maxBytes], Partial: true)
                : new FetchedMail(m.Uid, m.InternalDate, m.Raw.Length, m.Raw))
            .ToList();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MailEnvelope>> FetchEnvelopesAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken)
    {
        Commands.Add($"ENVELOPES {uids.Count}");
        return Task.FromResult<IReadOnlyList<MailEnvelope>>(_messages
            .Where(m => uids.Contains(m.Uid))
            .Select(m => new MailEnvelope(m.Uid, m.MessageId, null, null, m.MessageId, m.Raw.Length, m.InternalDate))
            .ToList());
    }

    /// <inheritdoc />
    public Task<bool> IdleAsync(TimeSpan maxDuration, CancellationToken wake, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The sync never idles.");

    /// <inheritdoc />
    public Task NoOpAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Commands.Add("NOOP");
        }

        return FailNoOpWith is { } code
            ? Task.FromException(new MailboxAccessException(code, "NOOP failed (scripted)."))
            : Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        return ValueTask.CompletedTask;
    }
}
