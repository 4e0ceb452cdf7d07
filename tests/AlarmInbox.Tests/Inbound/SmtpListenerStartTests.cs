using System.Net;
using System.Net.Sockets;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Inbound;

/// <summary>Start-up of the SMTP listener.</summary>
public sealed class SmtpListenerStartTests
{
    [Fact]
    public async Task ASiloWhoseSmtpPortIsTakenFailsToStartInsteadOfRunningWithoutListener()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var error = await Assert.ThrowsAnyAsync<SocketException>(() => TestSilo.StartAsync(settings: SmtpSiloFixture.SmtpSettings(port)));

        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }
}
