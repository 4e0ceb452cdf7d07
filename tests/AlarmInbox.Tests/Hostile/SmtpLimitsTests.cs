using System.Net;
using System.Net.Sockets;
using System.Text;
using AlarmInbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Hostile;

/// <summary>Issue 16, finding 10: idle unauthenticated connections must not lock the dispatch centre out of SMTP.</summary>
public sealed class SmtpLimitsTests(ITestOutputHelper output)
{
    // Generous: 200 connections and a mail on a loaded 2-core machine. The idle timeout below is the one fixed span the
    // test relies on: the dispatch centre's mail must be accepted within it while the 5 idle sessions are still open.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoHundredIdleConnectionsFromOneHostDoNotLockOutTheDispatchCentreAndAreClosedWhenIdle()
    {
        await using var smtp = await SmtpTestSilo.StartAsync(new()
        {
            ["AlarmInbox:Smtp:MaxSessionsPerClient"] = "5",
            ["AlarmInbox:Smtp:MaxConcurrentSessions"] = "200",
            ["AlarmInbox:Smtp:IdleTimeoutBeforeMail"] = SmtpTestSilo.Seconds(IdleTimeout.TotalSeconds),
        });
        var (tenantId, addressId, address) = await smtp.CreateAddressAsync();

        // The attacker: 200 connections from 127.0.0.1 that never send a command (the global limit is 200 too).
        var idle = new List<TcpClient>();
        for (var i = 0; i < 200; i++)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, smtp.SmtpPort);
            idle.Add(tcp);
        }

        // 195 are closed at once (over the per-client limit); 5 stay open, idle.
        var reading = idle.Select(ReadUntilClosedAsync).ToList();
        await Eventually.WaitForAsync(() => Task.FromResult(reading.Count(t => t.IsCompleted)), n => n >= 195, Wait, "195 connections closed");
        Assert.Equal(195, reading.Count(t => t.IsCompleted));

        // The dispatch centre sends from another address while the 5 are still open.
        var reply = await smtp.SendAsync(SmtpTestSilo.Mail("B3 Wohnhausbrand", "2026-000161"), address, "127.0.0.2");
        Assert.StartsWith("Queued as smtp-", reply, StringComparison.Ordinal);
        Assert.Equal(195, reading.Count(t => t.IsCompleted));

        // Every idle connection ends with a 421: 195 at once, 5 after the idle timeout.
        var closings = await Task.WhenAll(reading);
        Assert.All(closings, text => Assert.Contains("421 ", text, StringComparison.Ordinal));
        Assert.Equal(195, closings.Count(text => text.Contains("Too many sessions from your address", StringComparison.Ordinal)));
        Assert.Equal(5, closings.Count(text => text.Contains("Idle too long before MAIL FROM", StringComparison.Ordinal)));
        foreach (var tcp in idle)
        {
            tcp.Dispose();
        }

        // The limit is per client and counts closed sessions down again: the same host can send now.
        Assert.StartsWith("Queued as smtp-", await smtp.SendAsync(SmtpTestSilo.Mail("B2 Zimmerbrand", "2026-000162"), address), StringComparison.Ordinal);
        var messages = await Eventually.WaitForAsync(
            () => smtp.Api.GetAsync($"/api/tenants/{tenantId}/inbound-addresses/{addressId}/messages"),
            r => r.Body!.AsArray().Count == 2, Wait, "both mails stored");
        output.WriteLine($"200 idle connections: 195 refused at connect, 5 closed after the idle timeout; {messages.Body!.AsArray().Count} mails accepted meanwhile");
    }

    private static async Task<string> ReadUntilClosedAsync(TcpClient tcp)
    {
        // A safety net for a server that never closes, well beyond the idle timeout and the waits above.
        using var timeout = new CancellationTokenSource(Wait + IdleTimeout);
        var stream = tcp.GetStream();
        var text = new StringBuilder();
        var buffer = new byte[1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // Reset by the server after its 421: what was read is the answer.
        }

        return text.ToString();
    }
}
