using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Graph;

/// <summary>
/// The HTTP clients for Microsoft Graph, kept for the life of the process: one that validates certificates as the system
/// does, and one per pinned certificate fingerprint (a test server or a TLS-inspecting proxy with its own certificate).
/// Connections are pooled and renewed every few minutes, so DNS changes are picked up.
/// </summary>
public sealed class GraphHttpClients(IOptions<GraphOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    /// <summary>The client for <paramref name="pinnedCertificateSha256"/> (canonical hex), or the validating one for <see langword="null"/>.</summary>
    public HttpClient For(string? pinnedCertificateSha256) =>
        _clients.GetOrAdd(pinnedCertificateSha256 ?? "", pin => Create(pin.Length == 0 ? null : pin));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    private HttpClient Create(string? pin)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (pin is not null)
        {
            // A pinned fingerprint replaces chain validation, as for IMAP mailboxes (MailKitImapConnector).
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData())) == pin;
        }

        return new HttpClient(handler) { Timeout = options.Value.RequestTimeout };
    }
}
