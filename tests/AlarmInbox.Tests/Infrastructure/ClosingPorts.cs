using System.Net;
using System.Net.Sockets;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// Holds loopback ports that stored data points at (webhook URLs written into a fixture database): every connection is
/// closed at once, so a delivery to them fails as it did when the fixture was written, instead of reaching whatever test
/// happens to listen on that port now. A port in use by another test is waited for until it is free.
/// </summary>
public sealed class ClosingPorts : IAsyncDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    private ClosingPorts()
    {
    }

    /// <summary>Binds every port of <paramref name="ports"/> on 127.0.0.1, waiting up to <paramref name="timeout"/> for each to be free.</summary>
    public static async Task<ClosingPorts> HoldAsync(IEnumerable<int> ports, TimeSpan timeout)
    {
        var held = new ClosingPorts();
        foreach (var port in ports.Distinct())
        {
            var listener = await Eventually.WaitForAsync(
                () => Task.FromResult(TryBind(port)), l => l is not null, timeout, $"loopback port {port} to be free");
            held._listeners.Add(listener!);
            held._loops.Add(held.CloseEveryConnectionAsync(listener!));
        }

        return held;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Stop();
        }

        await Task.WhenAll(_loops.Select(l => l.ContinueWith(static _ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private static TcpListener? TryBind(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            listener.Dispose();
            return null;
        }
    }

    private async Task CloseEveryConnectionAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await listener.AcceptTcpClientAsync(_stop.Token);
            client.Client.LingerState = new LingerOption(true, 0);
        }
    }
}
