using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using AlarmInbox.Grains.Auth;
using AlarmInbox.Grains.Egress;
using AlarmInbox.Grains.Graph;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Diagnostics;

/// <summary>
/// Runs the connection test step by step (<see cref="ConnectionTestSteps"/>) on its own connection, so that each step
/// has its own outcome, duration, code, server message and hint. Uses the same classification as polling. Graph mailboxes
/// have steps of their own (<see cref="GraphConnectionTester"/>).
/// </summary>
public sealed partial class ConnectionTester(
    IAccessTokenProvider tokens,
    IOptions<ImapOptions> imapOptions,
    ILogger<ConnectionTester> logger,
    GraphConnectionTester? graph = null,
    EgressPolicy? egress = null)
{
    private readonly ImapOptions _imap = imapOptions.Value;

    /// <summary>Runs the test.</summary>
    /// <param name="settings">The settings with their secrets (in memory only).</param>
    /// <param name="requireCredential">Whether step <c>validate</c> requires the credential (always, except for stored mailboxes whose secrets are loaded separately).</param>
    /// <param name="recentlyConfigured">Whether the settings were saved so recently that Exchange may still be applying the setup.</param>
    /// <param name="cancellationToken">Ends the test; the current step then fails with <c>timeout</c>.</param>
    public async Task<ConnectionTestResult> RunAsync(MailboxSettings settings, bool requireCredential, bool recentlyConfigured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings = MailboxSettingsValidator.Normalize(settings);
        var run = new ConnectionTestRun(settings.AuthType == MailboxAuthType.Graph ? ConnectionTestSteps.Graph : ConnectionTestSteps.All, cancellationToken);

        var errors = MailboxSettingsValidator.Validate(settings, requireCredential);
        if (errors.Count > 0)
        {
            var code = errors.ContainsKey("office365.clientSecret") && settings.Office365?.ClientSecret is { } s && MailboxSettingsValidator.LooksLikeSecretId(s)
                ? MailboxErrorCodes.Office365SecretIdNotValue
                : MailboxErrorCodes.InvalidConfig;
            run.Fail(ConnectionTestSteps.Validate, 0, code, string.Join(" ", errors.SelectMany(e => e.Value)));
            return run.Finish(errors);
        }

        run.Pass(ConnectionTestSteps.Validate, 0, "The settings are valid.");
        if (settings.AuthType == MailboxAuthType.Graph)
        {
            await (graph ?? throw new InvalidOperationException("Graph mailboxes need the Graph services (AddGraph).")).RunAsync(settings, run);
            return run.Finish();
        }

        var request = new ImapConnectRequest(settings.Host, settings.Port, settings.Security, settings.Username, settings.Password ?? "", settings.Folder);
        var o365 = settings.AuthType == MailboxAuthType.Office365 ? settings.Office365 : null;
        run.AuthorityHost = o365?.AuthorityHost;

        Socket? socket = null;
        var replies = new ServerReplies();
        using var client = new ImapClient(replies) { Timeout = (int)_imap.CommandTimeout.TotalMilliseconds };
        try
        {
            Stream stream = Stream.Null;
            var reached = await run.StepAsync(ConnectionTestSteps.Tcp, async ct =>
                {
                    using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    connect.CancelAfter(_imap.ConnectTimeout);
                    // Through the egress policy: the resolved address is checked before anything is sent or read.
                    socket = egress is not null
                        ? await egress.ConnectAsync(settings.Host, settings.Port, connect.Token)
                        : await ConnectUncheckedAsync(settings.Host, settings.Port, connect.Token);
                    return $"Connected to {settings.Host}:{settings.Port} ({socket.RemoteEndPoint}).";
                }, ex => Classify(MailKitImapConnector.Step.Connect, ex, request, replies));
            if (reached)
            {
                stream = new NetworkStream(socket!, ownsSocket: true);
                reached = await run.StepAsync(ConnectionTestSteps.Tls, async ct =>
                    {
                        if (settings.Security != MailboxSecurity.SslOnConnect)
                        {
                            await ExpectPlainGreetingAsync(socket!, settings, ct);
                        }

                        if (settings.Security == MailboxSecurity.None)
                        {
                            return "";
                        }

                        if (settings.Security == MailboxSecurity.StartTls)
                        {
                            await client.ConnectAsync(stream, settings.Host, settings.Port, SecureSocketOptions.StartTls, ct);
                            return $"STARTTLS worked; {client.SslProtocol}, certificate valid for {settings.Host}.";
                        }

                        var (ssl, message) = await HandshakeAsync(stream, settings, ct);
                        stream = ssl;
                        return message;
                    },
                    ex => Classify(MailKitImapConnector.Step.Connect, ex, request, replies),
                    skippedWhenPassed: settings.Security == MailboxSecurity.None ? "security is None: the connection is not encrypted (use only on a trusted network or loopback)." : null);
            }

            // The token steps need only Entra ID: they run even when the IMAP server cannot be reached, so that each side
            // can be checked on its own.
            AccessToken? token = null;
            if (o365 is null)
            {
                run.Skip(ConnectionTestSteps.Token, "authType is Password: no token needed.");
                run.Skip(ConnectionTestSteps.TokenSanity, "authType is Password: no token needed.");
            }
            else
            {
                token = await TokenStepsAsync(run, o365, cancellationToken);
            }

            if (!reached || (o365 is not null && token is null))
            {
                return run.Finish();
            }

            if (!await run.StepAsync(ConnectionTestSteps.Authenticate, async ct =>
                {
                    if (!client.IsConnected)
                    {
                        await client.ConnectAsync(stream, settings.Host, settings.Port, SecureSocketOptions.None, ct);
                    }

                    if (o365 is null)
                    {
                        await client.AuthenticateAsync(settings.Username, settings.Password ?? "", ct);
                        return $"Logged in as '{settings.Username}'.";
                    }

                    try
                    {
                        await client.AuthenticateAsync(new SaslMechanismOAuth2(settings.Username, token!.Token), ct);
                        return $"Logged in as '{settings.Username}' with SASL XOAUTH2.";
                    }
                    catch (AuthenticationException refused) when (token!.FromCache && Classify(MailKitImapConnector.Step.Login, refused, request, replies).Code == MailboxErrorCodes.AuthFailed)
                    {
                        LogCachedTokenRejected(logger, o365.ClientId);
                        token = await tokens.GetTokenAsync(o365, forceRefresh: true, ignoreErrorPause: true, ct);
                        await client.AuthenticateAsync(new SaslMechanismOAuth2(settings.Username, token.Token), ct);
                        return $"Logged in as '{settings.Username}' with SASL XOAUTH2, after the cached token was refused and a fresh one was requested.";
                    }
                }, ex => Explain(Classify(MailKitImapConnector.Step.Login, ex, request, replies), o365, settings.Username, recentlyConfigured)))
            {
                return run.Finish();
            }

            IMailFolder? folder = null;
            if (!await run.StepAsync(ConnectionTestSteps.Select, async ct =>
                {
                    folder = await client.GetFolderAsync(settings.Folder, ct);
                    await folder.OpenAsync(FolderAccess.ReadOnly, ct);
                    return $"Folder '{settings.Folder}': {folder.Count} messages, UIDVALIDITY {folder.UidValidity}, UIDNEXT {folder.UidNext?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(not sent)"}.";
                }, ex => Explain(Classify(MailKitImapConnector.Step.Select, ex, request, replies), o365, settings.Username, recentlyConfigured)))
            {
                return run.Finish();
            }

            await run.StepAsync(ConnectionTestSteps.Search, async ct =>
            {
                var last = folder!.UidNext is { Id: > 1 } next ? next.Id - 1 : 1;
                var found = await folder.SearchAsync(SearchQuery.Uids(new UniqueIdRange(new UniqueId(folder.UidValidity, last), UniqueId.MaxValue)), ct);
                return $"UID SEARCH worked ({found.Count} UID at or above {last}).";
            }, ex => Explain(Classify(MailKitImapConnector.Step.Search, ex, request, replies), o365, settings.Username, recentlyConfigured));
            return run.Finish();
        }
        finally
        {
            await LogoutAsync(client);
            socket?.Dispose();
        }
    }

    private static async Task<Socket> ConnectUncheckedAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Steps <c>token</c> and <c>token_sanity</c>; returns the token when both passed.</summary>
    private async Task<AccessToken?> TokenStepsAsync(ConnectionTestRun run, Office365Settings o365, CancellationToken cancellationToken)
    {
        AccessToken? token = null;
        if (!await run.StepAsync(ConnectionTestSteps.Token, async ct =>
            {
                token = await tokens.GetTokenAsync(o365, forceRefresh: false, ignoreErrorPause: true, ct);
                return $"Entra ID ({o365.AuthorityHost}) issued a token for app {o365.ClientId} ({(token.FromCache ? "from the cache" : "new")}), valid until {token.ExpiresOn:yyyy-MM-dd HH:mm:ss} UTC.";
            }, ex => ex as MailboxAccessException))
        {
            return null;
        }

        var claims = TokenClaims.TryRead(token!.Token);
        if (claims is null)
        {
            run.Skip(ConnectionTestSteps.TokenSanity, "The token is not a JWT, so its claims cannot be checked here; the IMAP server checks it.");
            return token;
        }

        if (claims.Check(o365) is { } problem && token.FromCache)
        {
            // A cached token may predate a fix (admin consent just granted): the admin asked for this test, ask once more.
            LogCachedTokenWrong(logger, o365.ClientId, problem.Code);
            try
            {
                token = await tokens.GetTokenAsync(o365, forceRefresh: true, ignoreErrorPause: true, cancellationToken);
                claims = TokenClaims.TryRead(token.Token) ?? claims;
            }
            catch (MailboxAccessException ex)
            {
                run.Fail(ConnectionTestSteps.TokenSanity, 0, ex.Code, $"{problem.Message} A fresh token could not be had: {ex.Message}");
                return null;
            }
        }

        if (claims.Check(o365) is { } still)
        {
            run.Fail(ConnectionTestSteps.TokenSanity, 0, still.Code, still.Message);
            return null;
        }

        run.Pass(ConnectionTestSteps.TokenSanity, 0, $"Audience {claims.Audience}, role {TokenClaims.ImapRole}, tenant {claims.TenantId ?? "(not in token)"}, app {claims.AppId ?? "(not in token)"}.");
        return token;
    }

    /// <summary>
    /// With StartTls or None the server must greet in plain text at once; a server that waits silently is waiting for a
    /// TLS handshake (port 993), so the test says so after <see cref="ImapOptions.GreetingTimeout"/> instead of timing out.
    /// The greeting is only peeked at: the IMAP client reads it afterwards.
    /// </summary>
    private async Task ExpectPlainGreetingAsync(Socket socket, MailboxSettings settings, CancellationToken cancellationToken)
    {
        using var greeting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        greeting.CancelAfter(_imap.GreetingTimeout);
        try
        {
            await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, greeting.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MailboxAccessException(MailboxErrorCodes.SecurityMismatch,
                $"The server {settings.Host}:{settings.Port} sent no IMAP greeting within {_imap.GreetingTimeout.TotalSeconds:0} s after the connect: it waits for the client to speak first. Either the port expects TLS at once (security SslOnConnect, \"SSL/TLS\", not {settings.Security})"
                + (settings.Port == 993 ? " — 993 is the IMAPS port —" : "")
                + " or it is not an IMAP port at all (a web or other server): check the port in the provider's IMAP settings.", ex);
        }
    }

    /// <summary>TLS at once (SslOnConnect) with full certificate validation; a server that answers without a certificate speaks plain IMAP on this port.</summary>
    private static async Task<(SslStream Stream, string Message)> HandshakeAsync(Stream stream, MailboxSettings settings, CancellationToken cancellationToken)
    {
        var policyErrors = SslPolicyErrors.None;
        var chainStatus = "";
        var certificateSeen = false;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, chain, errors) =>
        {
            // Full validation as the system does it; only recorded so that the message can say why.
            certificateSeen = certificate is not null;
            policyErrors = errors;
            chainStatus = string.Join(", ", chain?.ChainStatus.Select(c => c.Status.ToString()) ?? []);
            return errors == SslPolicyErrors.None;
        });
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = settings.Host }, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException && !certificateSeen)
        {
            await ssl.DisposeAsync();
            throw new MailboxAccessException(MailboxErrorCodes.SecurityMismatch,
                $"The server {settings.Host}:{settings.Port} did not answer the TLS handshake with a certificate: it speaks plain IMAP on this port, so security must be StartTls (or None on a trusted network), not SslOnConnect"
                + (settings.Port == 143 ? " (143 is the plain IMAP port)." : "; or use the server's TLS port (993)."), ex);
        }
        catch (System.Security.Authentication.AuthenticationException ex)
        {
            await ssl.DisposeAsync();
            var why = policyErrors == SslPolicyErrors.None ? ex.Message : $"{policyErrors}{(chainStatus.Length > 0 ? " (" + chainStatus + ")" : "")}";
            throw new MailboxAccessException(MailboxErrorCodes.TlsFailed,
                $"The TLS handshake with {settings.Host}:{settings.Port} failed: {why}. The server's certificate must be valid for '{settings.Host}' and trusted by this machine.", ex);
        }

        return (ssl, $"{ssl.SslProtocol}, certificate '{ssl.RemoteCertificate?.Subject}' valid for {settings.Host}.");
    }

    /// <summary>A result whose step <paramref name="step"/> failed before anything was contacted (the rest skipped).</summary>
    public static ConnectionTestResult Failed(string step, string code, string message)
    {
        var run = new ConnectionTestRun(ConnectionTestSteps.All, CancellationToken.None);
        foreach (var name in ConnectionTestSteps.All.TakeWhile(n => n != step))
        {
            run.Pass(name, 0, "");
        }

        run.Fail(step, 0, code, message);
        return run.Finish();
    }

    private static MailboxAccessException Classify(MailKitImapConnector.Step step, Exception ex, ImapConnectRequest request, ServerReplies replies) =>
        MailKitImapConnector.Classify(step, ex, request, replies);

    private static MailboxAccessException Explain(MailboxAccessException error, Office365Settings? o365, string username, bool recentlyConfigured) =>
        o365 is null ? error : Office365ImapErrors.Classify(error, o365, username, recentlyConfigured);

    private static async Task LogoutAsync(ImapClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var logout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.DisconnectAsync(quit: true, logout.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or ImapProtocolException or ImapCommandException or OperationCanceledException or SocketException or ServiceNotConnectedException)
        {
            // The test is over; a failed LOGOUT changes nothing.
        }
    }

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Connection test: a cached token of app {ClientId} cannot work ({Code}); asking once for a fresh one")]
    private static partial void LogCachedTokenWrong(ILogger logger, string clientId, string code);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Connection test: a cached token of app {ClientId} was refused; trying once with a fresh token")]
    private static partial void LogCachedTokenRejected(ILogger logger, string clientId);
}
