using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AlarmInbox.Api.Tls;

/// <summary>
/// Holds the API's server certificate, loaded from a PEM certificate chain and a PEM key, and loads the pair again when
/// either file changes (checked at most every <see cref="TlsOptions.ReloadCheckInterval"/>, on a TLS handshake). A pair
/// that does not load (an ACME client halfway through writing it) keeps the previous certificate in use and is tried
/// again at the next check.
/// </summary>
public sealed partial class PemCertificateReloader
{
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly TimeSpan _checkInterval;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private ILogger _logger;
    private Loaded _loaded;
    private DateTimeOffset _nextCheck;

    /// <summary>Loads the pair once.</summary>
    /// <exception cref="InvalidOperationException">The files cannot be read or do not hold a certificate with its key; the message names the setting.</exception>
    public PemCertificateReloader(TlsOptions options, TimeProvider time, ILogger logger)
    {
        _certificatePath = Path.GetFullPath(options.CertificatePath ?? throw new InvalidOperationException("AlarmInbox:Api:Tls:CertificatePath is not set."));
        _keyPath = Path.GetFullPath(options.KeyPath ?? throw new InvalidOperationException("AlarmInbox:Api:Tls:KeyPath is required with AlarmInbox:Api:Tls:CertificatePath."));
        _checkInterval = options.ReloadCheckInterval;
        _time = time;
        _logger = logger;
        try
        {
            _loaded = Load();
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"AlarmInbox:Api:Tls: the certificate {_certificatePath} with key {_keyPath} cannot be loaded ({ex.GetType().Name}: {ex.Message}).", ex);
        }

        _nextCheck = time.GetUtcNow() + _checkInterval;
    }

    /// <summary>The server certificate in use (after a check for changed files when one is due).</summary>
    public X509Certificate2 Certificate => Current.Certificate;

    /// <summary>The certificate with its intermediates, as sent in the TLS handshake.</summary>
    public SslStreamCertificateContext Context => Current.Context;

    /// <summary>Replaces the start-up logger by the host's, once it is built.</summary>
    public void UseLogger(ILogger logger) => _logger = logger;

    private Loaded Current
    {
        get
        {
            var now = _time.GetUtcNow();
            if (now >= _nextCheck)
            {
                lock (_gate)
                {
                    if (now >= _nextCheck)
                    {
                        _nextCheck = now + _checkInterval;
                        ReloadIfChanged();
                    }
                }
            }

            return _loaded;
        }
    }

    private void ReloadIfChanged()
    {
        var stamp = Stamp();
        if (stamp == _loaded.Stamp)
        {
            return;
        }

        try
        {
            _loaded = Load();
            LogReloaded(_logger, _certificatePath, _loaded.Certificate.Thumbprint, _loaded.Certificate.NotAfter);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            LogReloadFailed(_logger, _certificatePath, ex.GetType().Name);
        }
    }

    private Loaded Load()
    {
        // The stamp is taken first: a change while loading is seen at the next check.
        var stamp = Stamp();
        var certificate = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(_certificatePath);
        var intermediates = new X509Certificate2Collection();
        foreach (var c in chain)
        {
            if (c.Thumbprint != certificate.Thumbprint)
            {
                intermediates.Add(c);
            }
        }

        return new Loaded(certificate, SslStreamCertificateContext.Create(certificate, intermediates, offline: true), stamp);
    }

    private string Stamp()
    {
        var certificate = new FileInfo(_certificatePath);
        var key = new FileInfo(_keyPath);
        return certificate.Exists && key.Exists
            ? $"{certificate.LastWriteTimeUtc.Ticks}/{certificate.Length}/{key.LastWriteTimeUtc.Ticks}/{key.Length}"
            : "missing";
    }

    [LoggerMessage(EventId = 6020, Level = LogLevel.Information, Message = "TLS certificate {CertificatePath} loaded again: {Thumbprint}, valid until {NotAfter:yyyy-MM-dd}")]
    private static partial void LogReloaded(ILogger logger, string certificatePath, string thumbprint, DateTime notAfter);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Warning, Message = "TLS certificate {CertificatePath} changed but does not load ({ExceptionType}); the previous one stays in use, next try at the next check")]
    private static partial void LogReloadFailed(ILogger logger, string certificatePath, string exceptionType);

    private sealed record Loaded(X509Certificate2 Certificate, SslStreamCertificateContext Context, string Stamp);
}
