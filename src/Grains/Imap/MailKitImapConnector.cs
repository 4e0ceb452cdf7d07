using AlarmInbox.Grains.Egress;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mime;
using AlarmInbox.Grains.Telemetry;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Imap;

/// <summary>
/// Opens IMAP sessions with MailKit. Every MailKit exception is turned into a <see cref="MailboxAccessException"/> here,
/// at the I/O edge. Opening waits for a turn from the <see cref="ImapLoginLimiter"/> of the mail server host.
/// </summary>
public sealed partial class MailKitImapConnector(
    IOptions<ImapOptions> options,
    ILogger<MailKitImapConnector> logger,
    ImapLoginLimiter limiter,
    MailboxMetrics? metrics = null,
    EgressPolicy? egress = null) : IImapConnector
{
    /// <summary>The header fields read for <see cref="IImapSession.FetchEnvelopesAsync"/>: what the content key needs, and the subject.</summary>
    private static readonly HeaderId[] EnvelopeHeaders = [HeaderId.MessageId, HeaderId.Date, HeaderId.From, HeaderId.Subject];

    private static readonly MailDecoder HeaderDecoder = new();

    private readonly ImapOptions _options = options.Value;
    private readonly MailboxMetrics? _metrics = metrics;

    /// <inheritdoc />
    /// <exception cref="MailboxAccessException">Also code <c>server_busy</c>: no login turn for the host came in time.</exception>
    public async Task<IImapSession> OpenAsync(ImapConnectRequest request, CancellationToken cancellationToken)
    {
        var waitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        using var turn = await limiter.AcquireAsync(request.Host, cancellationToken);
        _metrics?.RecordLoginWait(System.Diagnostics.Stopwatch.GetElapsedTime(waitStarted));
        var replies = new ServerReplies();
        var client = new CappedImapClient(replies, _options.MaxMessageBytes) { Timeout = (int)_options.CommandTimeout.TotalMilliseconds };
        string? presented = null;
        client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            presented = certificate is null ? null : Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));

            // A pinned fingerprint replaces chain validation (self-signed servers); otherwise the system's validation.
            return request.PinnedCertificateSha256 is { } pin ? presented == pin : errors == SslPolicyErrors.None;
        };
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(_options.ConnectTimeout);
                try
                {
                    await Guard(Step.Connect, () => ConnectAsync(client, request, connectTimeout.Token), request, cancellationToken, replies);
                }
                catch (MailboxAccessException tls) when (tls.Code == MailboxErrorCodes.TlsFailed && presented is not null)
                {
                    throw new MailboxAccessException(
                        tls.Code,
                        tls.Message + $" The server presented a certificate with SHA-256 {presented}"
                            + (request.PinnedCertificateSha256 is { } pin ? $", not the pinned {pin}." : ". If you have checked out of band that it is the server's own certificate, set pinnedCertificateSha256 to it."),
                        tls.InnerException);
                }

                await Guard(Step.Login, () => request.AccessToken is { } token
                    ? client.AuthenticateAsync(new SaslMechanismOAuth2(request.Username, token), connectTimeout.Token)
                    : client.AuthenticateAsync(request.Username, request.Password, connectTimeout.Token), request, cancellationToken, replies);
            }

            var folder = await Guard(Step.Select, () => client.GetFolderAsync(request.Folder, cancellationToken), request, cancellationToken, replies);
            await Guard(Step.Select, () => folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken), request, cancellationToken, replies);
            _metrics?.SessionOpened();
            return new Session(client, (ImapFolder)folder, this, request, replies);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static SecureSocketOptions ToSocketOptions(MailboxSecurity security) => security switch
    {
        MailboxSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        MailboxSecurity.StartTls => SecureSocketOptions.StartTls,
        MailboxSecurity.None => SecureSocketOptions.None,
        _ => throw new ArgumentOutOfRangeException(nameof(security), security, "Unknown security mode."),
    };

    private async Task Guard(Step step, Func<Task> action, ImapConnectRequest request, CancellationToken cancellationToken, ServerReplies replies) =>
        await Guard<bool>(step, async () => { await action(); return true; }, request, cancellationToken, replies);

    private async Task<T> Guard<T>(Step step, Func<Task<T>> action, ImapConnectRequest request, CancellationToken cancellationToken, ServerReplies replies)
    {
        replies.Forget();
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = Classify(step, ex, request, replies);
            LogStepFailed(logger, step, request.Host, request.Port, error.Code, ex.GetType().Name);
            throw error;
        }
    }

    /// <summary>Connects through the <see cref="EgressPolicy"/> (address checked after DNS resolution) when there is one.</summary>
    private async Task ConnectAsync(ImapClient client, ImapConnectRequest request, CancellationToken cancellationToken)
    {
        if (egress is null)
        {
            await client.ConnectAsync(request.Host, request.Port, ToSocketOptions(request.Security), cancellationToken);
            return;
        }

        var socket = await egress.ConnectAsync(request.Host, request.Port, cancellationToken);
        try
        {
            await client.ConnectAsync(socket, request.Host, request.Port, ToSocketOptions(request.Security), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }


    /// <summary>
    /// Turns a MailKit or socket failure into a stable code. What the server said decides first, so that refusals are
    /// told apart by its words: its reply to the failed command, or (where MailKit keeps it out of the exception)
    /// the last refusal or <c>BYE</c> seen by <paramref name="replies"/>.
    /// </summary>
    /// <param name="step">The step that failed.</param>
    /// <param name="ex">The failure.</param>
    /// <param name="request">Where the session was going.</param>
    /// <param name="replies">The server's status lines of this connection, when they were recorded.</param>
    internal static MailboxAccessException Classify(Step step, Exception ex, ImapConnectRequest request, ServerReplies? replies = null)
    {
        if (ex is MailboxAccessException known)
        {
            return known;
        }

        var said = ex is ImapCommandException { ResponseText.Length: > 0 } command ? $"{command.Response.ToString().ToUpperInvariant()} {command.ResponseText}" : replies?.LastWords;
        var serverText = said + " " + ex.Message;
        if (ThrottleReply().Match(serverText) is { Success: true } throttle)
        {
            var wait = TimeSpan.FromMilliseconds(long.Parse(throttle.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            return new MailboxAccessException(MailboxErrorCodes.Throttled,
                $"The server throttles this mailbox and asked to wait {wait.TotalMilliseconds:0} ms: {said ?? ex.Message}", ex, wait) { ServerReply = said };
        }

        if (ConnectionLimitReply().IsMatch(serverText))
        {
            return new MailboxAccessException(MailboxErrorCodes.ConnectionLimit,
                $"The server {request.Host}:{request.Port} refused a session for '{request.Username}' because too many are open: {said ?? ex.Message}", ex) { ServerReply = said };
        }

        if (replies?.LastBye is { } bye && ex is ImapProtocolException or IOException or SocketException or ServiceNotConnectedException)
        {
            return new MailboxAccessException(MailboxErrorCodes.Disconnected,
                $"The server {request.Host}:{request.Port} ended the session during {Describe(step)}: BYE {bye}", ex) { ServerReply = "BYE " + bye };
        }

        var error = ClassifyCore(step, ex, request, said);
        error.ServerReply = said;
        return error;
    }

    private static MailboxAccessException ClassifyCore(Step step, Exception ex, ImapConnectRequest request, string? said) => ex switch
    {
        MailboxAccessException known => known,
        EgressDeniedException denied => new(MailboxErrorCodes.EgressDenied, denied.Message, ex),
        OperationCanceledException or TimeoutException when step == Step.Idle => new(MailboxErrorCodes.ConnectionLost,
            $"The server {request.Host}:{request.Port} stopped answering during IDLE; reconnecting.", ex),
        OperationCanceledException or TimeoutException => new(MailboxErrorCodes.Timeout,
            step == Step.Connect || step == Step.Login
                ? $"The server {request.Host}:{request.Port} did not answer in time during {Describe(step)}."
                : $"The server {request.Host}:{request.Port} did not answer a command in time.", ex),
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => new(MailboxErrorCodes.HostNotFound,
            $"The host name '{request.Host}' could not be resolved. Check the spelling of host.", ex),
        SocketException socket => new(MailboxErrorCodes.ConnectFailed,
            $"Could not connect to {request.Host}:{request.Port}: {socket.Message}. Check host, port and firewall.", ex),
        SslHandshakeException => new(MailboxErrorCodes.TlsFailed,
            $"The TLS handshake with {request.Host}:{request.Port} failed: the server's certificate is not trusted or the server does not speak TLS on this port. Check port and security (993 = SslOnConnect, 143 = StartTls).", ex),
        NotSupportedException when step == Step.Connect && request.Security == MailboxSecurity.StartTls => new(MailboxErrorCodes.StartTlsUnavailable,
            $"The server {request.Host}:{request.Port} does not offer STARTTLS. Use SslOnConnect on port 993 if the server supports it.", ex),
        AuthenticationException => new(MailboxErrorCodes.AuthFailed,
            $"The server rejected the login of '{request.Username}': {said ?? ex.Message} Check username and password.", ex),
        FolderNotFoundException => new(MailboxErrorCodes.FolderNotFound,
            $"The folder '{request.Folder}' does not exist in the mailbox '{request.Username}'. Check folder (INBOX is the usual one; sub-folders use the server's separator, e.g. INBOX/Alarm).", ex),
        ImapCommandException command when step == Step.Select => new(MailboxErrorCodes.FolderNotFound,
            $"The folder '{request.Folder}' cannot be opened: the server answered {command.Response} {command.ResponseText}", ex),
        ImapCommandException command => new(MailboxErrorCodes.ProtocolError,
            $"The server answered {command.Response}: {command.ResponseText}", ex),
        // Closed before the greeting: nothing was established, so this is a failed connect (backed off), not a dropped session.
        ImapProtocolException or ServiceNotConnectedException or IOException when step == Step.Connect && IsClosed(ex) => new(MailboxErrorCodes.ConnectFailed,
            $"The server {request.Host}:{request.Port} closed the connection before greeting. Check host, port and firewall.", ex),
        ImapProtocolException when ex.InnerException is IOException || ex.Message.Contains("unexpectedly disconnected", StringComparison.OrdinalIgnoreCase) =>
            new(MailboxErrorCodes.Disconnected, $"The server {request.Host}:{request.Port} closed the connection during {Describe(step)}.", ex),
        // Not ex.Message: it quotes what the other side sent, which may be another service's banner.
        ImapProtocolException => new(MailboxErrorCodes.ProtocolError,
            $"The server at {request.Host}:{request.Port} did not answer as an IMAP server during {Describe(step)}. Check host and port.", ex),
        ServiceNotConnectedException or IOException => new(MailboxErrorCodes.Disconnected,
            $"The server {request.Host}:{request.Port} closed the connection during {Describe(step)}.", ex),
        _ => new(MailboxErrorCodes.Unexpected, $"{Describe(step)} failed: {ex.GetType().Name}.", ex),
    };

    private static bool IsClosed(Exception ex) => ex is not ImapProtocolException
        || ex.InnerException is IOException || ex.Message.Contains("unexpectedly disconnected", StringComparison.OrdinalIgnoreCase);

    private static string Describe(Step step) => step switch
    {
        Step.Connect => "connect",
        Step.Login => "login",
        Step.Select => "folder selection",
        Step.Search => "search",
        Step.Idle => "IDLE",
        _ => "fetch",
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"Suggested Backoff Time: (\d{1,9}) milliseconds", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ThrottleReply();

    /// <summary>
    /// Refusals because too many sessions are open, in the servers' words: Dovecot's "Maximum number of connections from
    /// user+IP exceeded", Gmail's "Too many simultaneous connections", Exchange's "Too many concurrent connections".
    /// </summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"maximum number of (simultaneous |concurrent )?connections|too many (simultaneous |concurrent |open )?(connections|sessions)|connection limit", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ConnectionLimitReply();

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "IMAP {Step} to {Host}:{Port} failed with {Code} ({ExceptionType})")]
    private static partial void LogStepFailed(ILogger logger, Step step, string host, int port, string code, string exceptionType);

    internal enum Step
    {
        Connect,
        Login,
        Select,
        Search,
        Fetch,
        Idle,
    }

    private sealed class Session(CappedImapClient client, ImapFolder folder, MailKitImapConnector owner, ImapConnectRequest request, ServerReplies replies) : IImapSession
    {
        public uint UidValidity => folder.UidValidity;

        public uint? UidNext => folder.UidNext?.Id;

        public int Count => folder.Count;

        public bool SupportsIdle => client.Capabilities.HasFlag(ImapCapabilities.Idle);

        public async Task<bool> IdleAsync(TimeSpan maxDuration, CancellationToken wake, CancellationToken cancellationToken)
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(wake);
            using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            done.CancelAfter(maxDuration);

            // Once DONE is due, the server must answer within the command timeout; MailKit does not bound that read
            // during IDLE, so a silent (half-open, blackholed) connection would hang here without this.
            using var deadline = done.Token.Register(() => abort.CancelAfter(owner._options.CommandTimeout));
            var changed = 0;

            // Raised on MailKit's I/O continuation, not on the grain scheduler: only flip flags here.
            void OnChange(object? sender, EventArgs e)
            {
                Interlocked.Exchange(ref changed, 1);
                done.Cancel();
            }

            folder.CountChanged += OnChange;
            folder.MessageExpunged += OnChange;
            try
            {
                await owner.Guard(Step.Idle, () => client.IdleAsync(done.Token, abort.Token), request, cancellationToken, replies);
            }
            finally
            {
                folder.CountChanged -= OnChange;
                folder.MessageExpunged -= OnChange;
            }

            return Volatile.Read(ref changed) == 1;
        }

        public Task NoOpAsync(CancellationToken cancellationToken) =>
            owner.Guard(Step.Idle, () => client.NoOpAsync(cancellationToken), request, cancellationToken, replies);

        public async Task<IReadOnlyList<MailEnvelope>> FetchEnvelopesAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken)
        {
            if (uids.Count == 0)
            {
                return [];
            }

            // Not ENVELOPE: MailKit refuses string literals above 4 KiB inside it (ImapProtocolException), and Dovecot sends a
            // long folded subject as one, so any mail with a long subject would fail this fetch on every try. Header fields
            // come as a body literal, which MailKit reads as a stream, and are decoded like the stored message.
            var ids = uids.Select(u => new UniqueId(folder.UidValidity, u)).ToList();
            var summaries = await owner.Guard(
                Step.Fetch,
                () => folder.FetchAsync(ids, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.InternalDate, EnvelopeHeaders), cancellationToken),
                request,
                cancellationToken,
                replies);
            return summaries
                .Select(s =>
                {
                    var message = HeaderDecoder.DecodeHeaderFields(s.Headers ?? new HeaderList(), s.UniqueId.Id, s.InternalDate, s.Size ?? 0);
                    return new MailEnvelope(s.UniqueId.Id, message.MessageId, message.Date, message.From, message.Subject, s.Size ?? 0, s.InternalDate);
                })
                .OrderBy(e => e.Uid)
                .ToList();
        }

        public async Task<IReadOnlyList<uint>> SearchUidsAfterAsync(uint afterUid, CancellationToken cancellationToken)
        {
            if (afterUid == uint.MaxValue - 1)
            {
                return [];
            }

            var range = new UniqueIdRange(new UniqueId(folder.UidValidity, afterUid + 1), UniqueId.MaxValue);
            var found = await owner.Guard(Step.Search, () => folder.SearchAsync(SearchQuery.Uids(range), cancellationToken), request, cancellationToken, replies);

            // RFC 3501: "n:*" always includes the highest UID, even when it is below n.
            return found.Select(u => u.Id).Where(u => u > afterUid).Order().ToList();
        }

        public async Task<IReadOnlyList<MailSummary>> FetchSummariesAsync(IReadOnlyList<uint> uids, CancellationToken cancellationToken)
        {
            if (uids.Count == 0)
            {
                return [];
            }

            var ids = uids.Select(u => new UniqueId(folder.UidValidity, u)).ToList();
            var summaries = await owner.Guard(
                Step.Fetch,
                () => folder.FetchAsync(ids, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.InternalDate | MessageSummaryItems.Size), cancellationToken),
                request,
                cancellationToken,
                replies);
            return summaries.Select(s => new MailSummary(s.UniqueId.Id, s.Size ?? 0, s.InternalDate)).OrderBy(s => s.Uid).ToList();
        }

        public async Task<IReadOnlyList<FetchedMail>> FetchAsync(IReadOnlyList<MailSummary> mails, int maxBytes, CancellationToken cancellationToken)
        {
            var max = Math.Clamp(maxBytes, 1, owner._options.MaxMessageBytes);
            var fetched = new List<FetchedMail>(mails.Count);
            var whole = mails.Where(m => m.Size <= max).ToDictionary(m => m.Uid);
            if (whole.Count > 0)
            {
                // The caller asks for at most max bytes by the announced sizes; twice that bounds a server whose sizes are wrong.
                client.Allowance.Reset(2L * max);
                var ids = whole.Keys.Select(u => new UniqueId(folder.UidValidity, u)).ToList();
                await owner.Guard(
                    Step.Fetch,
                    () => folder.GetStreamsAsync(ids, (_, _, uid, stream, _) =>
                    {
                        var summary = whole.GetValueOrDefault(uid.Id);
                        fetched.Add(Fetched(uid.Id, summary?.InternalDate, summary?.Size ?? 0, stream, max));
                        return Task.CompletedTask;
                    }, cancellationToken),
                    request,
                    cancellationToken,
                    replies);
            }

            // Larger than the limit: only the first max bytes (BODY.PEEK[]<0.max>), one command each; never the whole mail.
            foreach (var large in mails.Where(m => m.Size > max))
            {
                client.Allowance.Reset(max);
                var stream = await owner.Guard(
                    Step.Fetch,
                    async Task<Stream?> () =>
                    {
                        try
                        {
                            return await folder.GetStreamAsync(new UniqueId(folder.UidValidity, large.Uid), 0, max, cancellationToken);
                        }
                        catch (MessageNotFoundException)
                        {
                            return null; // expunged since its size was fetched
                        }
                    },
                    request,
                    cancellationToken,
                    replies);
                if (stream is not null)
                {
                    using (stream)
                    {
                        fetched.Add(Fetched(large.Uid, large.InternalDate, large.Size, stream, max) with { Partial = true });
                    }
                }
            }

            return fetched.OrderBy(f => f.Uid).ToList();
        }

        /// <summary>The mail of a FETCH literal; cut (and flagged) when the literal was longer than what was kept of it.</summary>
        private static FetchedMail Fetched(uint uid, DateTimeOffset? internalDate, long size, Stream stream, int max)
        {
            if (stream is CappedLiteralStream capped)
            {
                var announced = capped.Announced < 0 ? long.MaxValue : capped.Announced;
                return new FetchedMail(uid, internalDate, Math.Max(size, announced), capped.Kept, capped.Dropped > 0);
            }

            // Every literal of a CappedImapFolder is capped; should MailKit hand over another stream, it is cut all the same.
            var raw = new byte[(int)Math.Min(stream.Length, max)];
            stream.ReadExactly(raw);
            return new FetchedMail(uid, internalDate, Math.Max(size, stream.Length), raw, stream.Length > raw.Length);
        }

        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            owner._metrics?.SessionClosed();
            try
            {
                if (client.IsConnected)
                {
                    using var logout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await client.DisconnectAsync(quit: true, logout.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or ImapProtocolException or ImapCommandException or OperationCanceledException or SocketException or ServiceNotConnectedException or TimeoutException)
            {
                // The session is being closed anyway; a failed LOGOUT changes nothing (TimeoutException: MailKit's own
                // read timeout, CommandTimeout, came before the logout budget on a silent connection).
            }
            finally
            {
                client.Dispose();
            }
        }
    }
}
