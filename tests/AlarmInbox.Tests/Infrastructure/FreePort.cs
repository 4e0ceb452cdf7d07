using System.Net;
using System.Net.Sockets;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>Hands out TCP ports on loopback that are free right now.</summary>
public static class FreePort
{
    /// <summary>Returns a port that the OS reports as free on 127.0.0.1.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
