using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Storage;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Runs the SMTP listener (the SmtpServer package) in the silo process on <see cref="SmtpOptions.Port"/>: ESMTP with
/// SIZE (RFC 1870) and, with a certificate, STARTTLS (RFC 3207). Starts after the silo and stops before it.
/// </summary>
public sealed partial class SmtpListener(
    InboundMailboxFilter filter,
    InboundMessageStore store,
    SmtpSessionLimiter sessions,
    IOptions<SmtpOptions> options,
    ILogger<SmtpListener> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private SmtpServer.SmtpServer? _server;
    private Task? _running;
    private X509Certificate2? _certificate;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        _certificate = LoadCertificate(o);
        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName(string.IsNullOrWhiteSpace(o.ServerName) ? Environment.MachineName : o.ServerName)
            .MaxMessageSize(o.MaxMessageBytes, MaxMessageSizeHandling.Strict)
            .CustomSmtpGreeting(ProductSmtpCommandFactory.Greeting)
            .Endpoint(endpoint =>
            {
                endpoint.Endpoint(new IPEndPoint(IPAddress.Parse(o.BindAddress), o.Port)).SessionTimeout(o.SessionTimeout);
                if (_certificate is not null)
                {
                    endpoint.Certificate(_certificate);
                }
            })
            .Build();

        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add((IMailboxFilter)filter);
        services.Add((IMessageStore)store);
        services.Add((SmtpServer.Protocol.ISmtpCommandFactory)new ProductSmtpCommandFactory());
        _server = new SmtpServer.SmtpServer(serverOptions, services);
        _server.SessionCreated += (_, e) => sessions.Opened(e.Context);
        _server.SessionCompleted += (_, e) => sessions.Closed(e.Context);
        _server.SessionFaulted += (_, e) => sessions.Closed(e.Context);
        _server.SessionCancelled += (_, e) => sessions.Closed(e.Context);
        _running = _server.StartAsync(_stopping.Token);
        if (_running.IsFaulted)
        {
            // Port in use and the like: fail the start-up instead of running without a listener.
            return _running;
        }

        LogListening(logger, o.BindAddress, o.Port, _certificate is not null);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is null || _running is null)
        {
            return;
        }

        // Stop accepting, let running sessions finish (a mail in DATA gets its reply), then cancel what is left.
        _server.Shutdown();
        await Task.WhenAny(_server.ShutdownTask, Task.Delay(Timeout.Infinite, cancellationToken));
        await _stopping.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        _certificate?.Dispose();
    }

    private static X509Certificate2? LoadCertificate(SmtpOptions o) => o.CertificatePath switch
    {
        null or "" => null,
        var path when o.CertificateKeyPath is { Length: > 0 } key => X509Certificate2.CreateFromPemFile(path, key),
        var path => X509CertificateLoader.LoadPkcs12FromFile(path, o.CertificatePassword),
    };

    [LoggerMessage(EventId = 8301, Level = LogLevel.Information, Message = "SMTP listening on {BindAddress}:{Port} (STARTTLS: {StartTls})")]
    private static partial void LogListening(ILogger logger, string bindAddress, int port, bool startTls);
}
