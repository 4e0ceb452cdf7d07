using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;
using SmtpServer.Protocol;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Counts the open SMTP sessions of this silo, in all and per client IP address, and closes with 421 (RFC 5321 section
/// 3.8) the sessions above <see cref="SmtpOptions.MaxConcurrentSessions"/> or <see cref="SmtpOptions.MaxSessionsPerClient"/>
/// at once, and those that send no MAIL FROM within <see cref="SmtpOptions.IdleTimeoutBeforeMail"/>.
/// </summary>
public sealed partial class SmtpSessionLimiter(IOptions<SmtpOptions> options, SmtpMetrics metrics, TimeProvider time, ILogger<SmtpSessionLimiter> logger)
{
    private const string IdleTimerKey = "alarminbox.idle-timer";
    private const string SlotKey = "alarminbox.slot";
    private readonly ConcurrentDictionary<IPAddress, int> _perClient = new();
    private int _open;

    /// <summary>How many sessions are open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>How many sessions are open now from <paramref name="client"/>.</summary>
    public int OpenFrom(IPAddress client) => _perClient.GetValueOrDefault(client);

    /// <summary>Counts a new session; closes it at once when a limit is exceeded, else arms its idle timer.</summary>
    public void Opened(ISessionContext context)
    {
        var o = options.Value;
        var client = ClientOf(context);
        var slot = new Slot(client);
        context.Properties[SlotKey] = slot;
        var total = Interlocked.Increment(ref _open);
        var fromClient = _perClient.AddOrUpdate(client, 1, (_, n) => n + 1);
        if (fromClient > o.MaxSessionsPerClient)
        {
            metrics.Rejected("too-many-sessions-per-client");
            LogRefused(logger, fromClient, o.MaxSessionsPerClient);
            _ = CloseAsync(context, slot, "4.7.0 Too many sessions from your address, try again later");
        }
        else if (total > o.MaxConcurrentSessions)
        {
            metrics.Rejected("too-many-sessions");
            _ = CloseAsync(context, slot, "4.3.2 Too many sessions, try again later");
        }
        else
        {
            var timer = time.CreateTimer(
                _ => _ = CloseAsync(context, slot, "4.4.2 Idle too long before MAIL FROM, closing"),
                null, o.IdleTimeoutBeforeMail, Timeout.InfiniteTimeSpan);
            context.Properties[IdleTimerKey] = timer;
        }
    }

    /// <summary>The session sent MAIL FROM: it is no longer idle (the per-command timeout applies from now on).</summary>
    public void MailStarted(ISessionContext context) => DisarmIdleTimer(context);

    /// <summary>Counts a session that ended (completed, faulted or cancelled).</summary>
    public void Closed(ISessionContext context)
    {
        DisarmIdleTimer(context);
        if (context.Properties.TryGetValue(SlotKey, out var slot) && slot is Slot s)
        {
            Release(s);
        }
    }

    /// <summary>
    /// Frees the session's place in the counts, once: when the session ends, or already when this limiter closes it, so
    /// that a client that sees the 421 and reconnects at once is not counted twice (the session's end is reported a
    /// moment after the client saw the connection close).
    /// </summary>
    private void Release(Slot slot)
    {
        if (Interlocked.Exchange(ref slot.Released, 1) == 1)
        {
            return;
        }

        Interlocked.Decrement(ref _open);

        // Remove the entry when it drops to zero so that the table does not grow with every address ever seen.
        var client = slot.Client;
        while (_perClient.TryGetValue(client, out var n))
        {
            if (n <= 1 ? _perClient.TryRemove(new KeyValuePair<IPAddress, int>(client, n)) : _perClient.TryUpdate(client, n - 1, n))
            {
                break;
            }
        }
    }

    private void DisarmIdleTimer(ISessionContext context)
    {
        if (context.Properties.Remove(IdleTimerKey, out var timer) && timer is ITimer t)
        {
            t.Dispose();
        }
    }

    private async Task CloseAsync(ISessionContext context, Slot slot, string text)
    {
        // Before the reply: once the client has read it, its place is free again.
        Release(slot);
        try
        {
            if (text.StartsWith("4.4.2", StringComparison.Ordinal))
            {
                metrics.Rejected("idle-before-mail");
            }

            await context.Pipe.Output.WriteReplyAsync(new SmtpResponse(SmtpReplyCode.ServiceUnavailable, text), CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client is gone already.
        }
        finally
        {
            // Ends the session's pending read; SmtpServer then raises SessionFaulted and Closed() counts it.
            context.Pipe.Dispose();
        }
    }

    /// <summary>A session's place in the counts: its client address, and whether the place was freed.</summary>
    private sealed class Slot(IPAddress client)
    {
        public IPAddress Client { get; } = client;

        public int Released;
    }

    private static IPAddress ClientOf(ISessionContext context) =>
        context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var endpoint) && endpoint is IPEndPoint ip
            ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)
            : IPAddress.None;

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "SMTP: a client address opened {Sessions} sessions, more than {Limit}; the new one was closed with 421")]
    private static partial void LogRefused(ILogger logger, int sessions, int limit);
}
