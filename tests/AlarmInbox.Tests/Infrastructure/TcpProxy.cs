using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on loopback in front of a real server, to play the network's failures: refuse new connections (server
/// down), cut every open connection, or blackhole them (stop forwarding without closing, like a dropped NAT mapping).
/// It counts connections exactly: a connection is open from accept until the server's <c>* BYE</c> (the answer to
/// LOGOUT) passes, or until either side closes; <see cref="MaxConcurrent"/> is the most that were open at once.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Connection> _connections = new();
    private readonly object _countLock = new();
    private readonly Task _acceptLoop;
    private int _nextId;
    private int _open;
    private volatile bool _refusing;
    private volatile bool _blackholeNew;

    /// <summary>Starts a proxy to <paramref name="targetPort"/> on 127.0.0.1.</summary>
    public TcpProxy(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _nextId);

    /// <summary>Connections open right now.</summary>
    public int Open
    {
        get
        {
            lock (_countLock)
            {
                return _open;
            }
        }
    }

    /// <summary>The most connections that were open at the same time.</summary>
    public int MaxConcurrent { get; private set; }

    /// <summary>Refuses new connections (accepts and closes them at once) until <see cref="Resume"/>.</summary>
    public void RefuseNew() => _refusing = true;

    /// <summary>Lets new connections through again (also ends <see cref="BlackholeAll"/> for new connections).</summary>
    public void Resume()
    {
        _refusing = false;
        _blackholeNew = false;
    }

    /// <summary>Closes every open connection on both sides.</summary>
    public void CutAll()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Close();
        }
    }

    /// <summary>Stops forwarding on every open connection without closing it; optionally also for new ones.</summary>
    public void BlackholeAll(bool includingNew)
    {
        _blackholeNew = includingNew;
        foreach (var connection in _connections.Values)
        {
            connection.Blackholed = true;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
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
            if (_refusing)
            {
                client.Client.Close(0);
                client.Dispose();
                continue;
            }

            var id = Interlocked.Increment(ref _nextId);
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            var connection = new Connection(this, id, client, server) { Blackholed = _blackholeNew };
            lock (_countLock)
            {
                _open++;
                MaxConcurrent = Math.Max(MaxConcurrent, _open);
            }

            _connections[id] = connection;
            _ = connection.RunAsync(_stop.Token);
        }
    }

    private void MarkClosed(Connection connection)
    {
        lock (_countLock)
        {
            if (!connection.Counted)
            {
                return;
            }

            connection.Counted = false;
            _open--;
        }
    }

    private sealed class Connection(TcpProxy proxy, int id, TcpClient client, TcpClient server)
    {
        public volatile bool Blackholed;

        public bool Counted { get; set; } = true;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var up = PumpAsync(client.GetStream(), server.GetStream(), watchForBye: false, cancellationToken);
            var down = PumpAsync(server.GetStream(), client.GetStream(), watchForBye: true, cancellationToken);
            await Task.WhenAny(up, down);
            Close();
        }

        private int _closed;

        public void Close()
        {
            proxy.MarkClosed(this);
            if (Interlocked.Exchange(ref _closed, 1) == 1)
            {
                return;
            }

            proxy._connections.TryRemove(id, out _);
            client.Client?.Close(0);
            server.Client?.Close(0);
            client.Dispose();
            server.Dispose();
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to, bool watchForBye, CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer, cancellationToken);
                    if (read == 0)
                    {
                        return;
                    }

                    if (Blackholed)
                    {
                        continue;
                    }

                    if (watchForBye && Encoding.ASCII.GetString(buffer, 0, read).Contains("* BYE", StringComparison.Ordinal))
                    {
                        // The server ends the session: count it closed before the client can see the reply.
                        proxy.MarkClosed(this);
                    }

                    await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
    }
}
