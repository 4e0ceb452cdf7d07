using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A scripted IMAP server on loopback that answers like Exchange Online does where Dovecot cannot (replies as publicly
/// reported, see <c>shared/facts/dovecot-msal-mailkit.md</c>). Plain TCP (security None); one script per server.
/// </summary>
public sealed class FakeExchangeImap : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _authentications;

    /// <summary>Starts the server with <paramref name="script"/>.</summary>
    public FakeExchangeImap(Script script)
    {
        Mode = script;
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>What the server does after AUTHENTICATE.</summary>
    public enum Script
    {
        /// <summary><c>NO AUTHENTICATE failed.</c> for every token.</summary>
        RejectToken,

        /// <summary><c>OK AUTHENTICATE completed.</c>, then <c>BAD User is authenticated but not connected.</c> to every command, then <c>* BYE Connection closed. 14</c>.</summary>
        NotConnected,

        /// <summary>Login and EXAMINE work; UID SEARCH gets <c>* BYE Session invalidated - AccessTokenExpired</c>.</summary>
        SessionExpired,

        /// <summary>
        /// Exchange's per-mailbox cap on concurrent IMAP sessions: AUTHENTICATE gets
        /// <c>NO [UNAVAILABLE] Too many concurrent connections opened.</c> The exact IMAP wording is not documented
        /// publicly; this follows Exchange's words for the same limit in EWS ("Too many concurrent connections opened").
        /// </summary>
        ConnectionLimit,
    }

    /// <summary>The script.</summary>
    public Script Mode { get; }

    /// <summary>The port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many AUTHENTICATE commands arrived.</summary>
    public int Authentications => Volatile.Read(ref _authentications);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        async Task Send(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), _stop.Token);
        try
        {
            await Send("* OK The Microsoft Exchange IMAP4 service is ready. [RkFLRS1FWENIQU5HRQ==]");
            var authenticated = false;
            var bads = 0;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var parts = line.Split(' ', 3);
                var tag = parts[0];
                var command = parts.Length > 1 ? parts[1].ToUpperInvariant() : "";
                var argument = parts.Length > 2 ? parts[2] : "";
                if (command == "LOGOUT")
                {
                    await Send("* BYE Microsoft Exchange Server IMAP4 server signing off.");
                    await Send($"{tag} OK LOGOUT completed.");
                    return;
                }

                if (command == "CAPABILITY")
                {
                    await Send("* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+");
                    await Send($"{tag} OK CAPABILITY completed.");
                    continue;
                }

                if (command == "AUTHENTICATE")
                {
                    Interlocked.Increment(ref _authentications);
                    if (!argument.Contains(' ', StringComparison.Ordinal))
                    {
                        await Send("+ ");
                        await reader.ReadLineAsync(_stop.Token);
                    }

                    if (Mode == Script.RejectToken)
                    {
                        await Send($"{tag} NO AUTHENTICATE failed.");
                        continue;
                    }

                    if (Mode == Script.ConnectionLimit)
                    {
                        await Send($"{tag} NO [UNAVAILABLE] Too many concurrent connections opened.");
                        continue;
                    }

                    authenticated = true;
                    await Send($"{tag} OK AUTHENTICATE completed.");
                    continue;
                }

                if (!authenticated)
                {
                    await Send($"{tag} BAD Command received in Invalid state.");
                    continue;
                }

                if (Mode == Script.NotConnected)
                {
                    await Send($"{tag} BAD User is authenticated but not connected.");
                    if (++bads >= 2)
                    {
                        await Send("* BYE Connection closed. 14");
                        return;
                    }

                    continue;
                }

                switch (command)
                {
                    case "NAMESPACE":
                        await Send("* NAMESPACE ((\"\" \"/\")) NIL NIL");
                        await Send($"{tag} OK NAMESPACE completed.");
                        break;
                    case "LIST":
                        await Send("* LIST (\\Marked \\HasNoChildren) \"/\" INBOX");
                        await Send($"{tag} OK LIST completed.");
                        break;
                    case "SELECT" or "EXAMINE":
                        await Send("* 0 EXISTS");
                        await Send("* 0 RECENT");
                        await Send("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)");
                        await Send("* OK [PERMANENTFLAGS ()] Permanent flags");
                        await Send("* OK [UIDVALIDITY 14] UIDVALIDITY value");
                        await Send("* OK [UIDNEXT 1] The next unique identifier value");
                        await Send($"{tag} OK [READ-ONLY] {command} completed.");
                        break;
                    case "UID" when argument.StartsWith("SEARCH", StringComparison.OrdinalIgnoreCase):
                        await Send("* BYE Session invalidated - AccessTokenExpired");
                        return;
                    default:
                        await Send($"{tag} OK {command} completed.");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away or the server stops.
        }
    }
}
