using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>
/// Hands out TCP ports on loopback that are free right now and that this test process has not handed out before.
/// </summary>
/// <remarks>
/// A port is handed out seconds before the silo (or server) it is meant for binds it, and is unbound meanwhile. Two things
/// could take it in that window, and both were seen on loaded machines: another <see cref="Next"/> call (a second silo of
/// the same test got the same silo port; Orleans binds its listeners with SO_REUSEADDR, which .NET maps to SO_REUSEPORT on
/// Linux, so both bound it, shared its connections, and the cluster killed one as an "older clone" of the other), and an
/// outgoing connection of any process, which the kernel gives a port of the ephemeral range. So ports are never handed
/// out twice per process, and come from below the ephemeral range (<c>net.ipv4.ip_local_port_range</c>) where the kernel
/// assigns none by itself.
/// </remarks>
public static class FreePort
{
    private const int LowestPort = 10_000;
    private static readonly Lock s_lock = new();
    private static readonly HashSet<int> s_handedOut = [];
    private static readonly int s_ephemeralLow = EphemeralRangeLow();

    /// <summary>Returns a port that is free on 127.0.0.1 and was not returned before in this process.</summary>
    /// <exception cref="InvalidOperationException">No such port was found.</exception>
    public static int Next()
    {
        lock (s_lock)
        {
            for (var attempt = 0; attempt < 10_000; attempt++)
            {
                var port = s_ephemeralLow - LowestPort >= 5_000 ? Random.Shared.Next(LowestPort, s_ephemeralLow) : KernelAssigned();
                if (!s_handedOut.Contains(port) && IsFree(port))
                {
                    s_handedOut.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException("No free loopback port found.");
    }

    private static int KernelAssigned()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // A plain bind without SO_REUSEADDR/SO_REUSEPORT: it fails while anything else holds the port, including a listener
    // that set those options.
    private static bool IsFree(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralRangeLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0; // unknown: let the kernel choose
        }
    }
}
