using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A scripted IMAP server on loopback for server behaviour that Dovecot cannot produce (Exchange Online's replies).
/// For each command the script returns the lines to send; <c>{tag}</c> in a line is replaced by the command's tag.
/// It records the time of every connection.
/// </summary>
public sealed class FakeImapServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string, string, IReadOnlyList<string>> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<DateTimeOffset> _connections = [];

    /// <summary>Starts the server.</summary>
    /// <param name="script">(command name in upper case, full command line) → reply lines.</param>
    public FakeImapServer(Func<string, string, IReadOnlyList<string>> script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>When each connection was accepted.</summary>
    public IReadOnlyList<DateTimeOffset> Connections
    {
        get
        {
            lock (_connections)
            {
                return _connections.ToList();
            }
        }
    }

    /// <summary>The capability line Exchange Online sends (from public reports).</summary>
    public const string ExchangeCapabilities = "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+";

    /// <summary>Replies to the commands every session starts with (CAPABILITY, LOGIN, AUTHENTICATE, LOGOUT, NOOP).</summary>
    public static IReadOnlyList<string>? Basics(string command) => command switch
    {
        "CAPABILITY" => [$"* CAPABILITY {ExchangeCapabilities}", "{tag} OK CAPABILITY completed."],
        "LOGIN" => ["{tag} OK LOGIN completed."],
        "AUTHENTICATE" => ["{tag} OK AUTHENTICATE completed."],
        "LOGOUT" => ["* BYE Microsoft Exchange Server IMAP4 server signing off.", "{tag} OK LOGOUT completed."],
        "NOOP" => ["{tag} OK NOOP completed."],
        "NAMESPACE" => ["* NAMESPACE ((\"\" \"/\")) NIL NIL", "{tag} OK NAMESPACE completed."],
        "LIST" => ["* LIST (\\HasNoChildren) \"/\" INBOX", "{tag} OK LIST completed."],
        "ID" => ["* ID NIL", "{tag} OK ID completed."],
        _ => null,
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_connections)
            {
                _connections.Add(DateTimeOffset.UtcNow);
            }

            _ = ServeAsync(client, _stop.Token);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("* OK The Microsoft Exchange IMAP4 service is ready.");
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    var parts = line.Split(' ', 3);
                    if (parts.Length < 2)
                    {
                        continue;
                    }

                    var tag = parts[0];
                    var command = parts[1].ToUpperInvariant();
                    var closes = false;
                    foreach (var reply in _script(command, line))
                    {
                        await writer.WriteLineAsync(reply.Replace("{tag}", tag, StringComparison.Ordinal));
                        closes |= reply.StartsWith("* BYE", StringComparison.Ordinal);
                    }

                    if (closes)
                    {
                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}
