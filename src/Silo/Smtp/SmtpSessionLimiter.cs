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
    private const string ClientKey = "alarminbox.client";
    private const string IdleTimerKey = "alarminbox.idle-timer";
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
        context.Properties[ClientKey] = client;
        var total = Interlocked.Increment(ref _open);
        var fromClient = _perClient.AddOrUpdate(client, 1, (_, n) => n + 1);
        if (fromClient > o.MaxSessionsPerClient)
        {
            metrics.Rejected("too-many-sessions-per-client");
            LogRefused(logger, fromClient, o.MaxSessionsPerClient);
            _ = CloseAsync(context, TimeSpan.Zero, "4.7.0 Too many sessions from your address, try again later");
        }
        else if (total > o.MaxConcurrentSessions)
        {
            metrics.Rejected("too-many-sessions");
            _ = CloseAsync(context, TimeSpan.Zero, "4.3.2 Too many sessions, try again later");
        }
        else
        {
            var timer = time.CreateTimer(
                state => _ = CloseAsync((ISessionContext)state!, TimeSpan.Zero, "4.4.2 Idle too long before MAIL FROM, closing"),
                context, o.IdleTimeoutBeforeMail, Timeout.InfiniteTimeSpan);
            context.Properties[IdleTimerKey] = timer;
        }
    }

    /// <summary>The session sent MAIL FROM: it is no longer idle (the per-command timeout applies from now on).</summary>
    public void MailStarted(ISessionContext context) => DisarmIdleTimer(context);

    /// <summary>Counts a session that ended (completed, faulted or cancelled).</summary>
    public void Closed(ISessionContext context)
    {
        DisarmIdleTimer(context);
        Interlocked.Decrement(ref _open);
        if (context.Properties.TryGetValue(ClientKey, out var value) && value is IPAddress client)
        {
            // Remove the entry when it drops to zero so that the table does not grow with every address ever seen.
            while (_perClient.TryGetValue(client, out var n))
            {
                if (n <= 1 ? _perClient.TryRemove(new KeyValuePair<IPAddress, int>(client, n)) : _perClient.TryUpdate(client, n - 1, n))
                {
                    break;
                }
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

    private async Task CloseAsync(ISessionContext context, TimeSpan delay, string text)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time);
        }

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

    private static IPAddress ClientOf(ISessionContext context) =>
        context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var endpoint) && endpoint is IPEndPoint ip
            ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)
            : IPAddress.None;

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "SMTP: a client address opened {Sessions} sessions, more than {Limit}; the new one was closed with 421")]
    private static partial void LogRefused(ILogger logger, int sessions, int limit);
}
