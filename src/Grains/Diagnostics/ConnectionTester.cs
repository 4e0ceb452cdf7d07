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

        Socket? socket = null;
        using var client = new ImapClient { Timeout = (int)_imap.CommandTimeout.TotalMilliseconds };
        try
        {
            if (!await run.StepAsync(ConnectionTestSteps.Tcp, async ct =>
                {
                    using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    connect.CancelAfter(_imap.ConnectTimeout);
                    // Through the egress policy: the resolved address is checked before anything is sent or read.
                    socket = egress is not null
                        ? await egress.ConnectAsync(settings.Host, settings.Port, connect.Token)
                        : await ConnectUncheckedAsync(settings.Host, settings.Port, connect.Token);
                    return $"Connected to {settings.Host}:{settings.Port} ({socket.RemoteEndPoint}).";
                }, ex => Classify(MailKitImapConnector.Step.Connect, ex, request)))
            {
                return run.Finish();
            }

            Stream stream = new NetworkStream(socket!, ownsSocket: true);
            if (settings.Security == MailboxSecurity.None)
            {
                run.Skip(ConnectionTestSteps.Tls, "security is None: the connection is not encrypted (use only on a trusted network or loopback).");
            }
            else if (!await run.StepAsync(ConnectionTestSteps.Tls, async ct =>
                {
                    if (settings.Security == MailboxSecurity.StartTls)
                    {
                        await client.ConnectAsync(stream, settings.Host, settings.Port, SecureSocketOptions.StartTls, ct);
                        return $"STARTTLS worked; {client.SslProtocol}, certificate valid for {settings.Host}.";
                    }

                    var policyErrors = SslPolicyErrors.None;
                    var chainStatus = "";
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, chain, errors) =>
                    {
                        // Full validation as the system does it; only recorded so that the message can say why.
                        policyErrors = errors;
                        chainStatus = string.Join(", ", chain?.ChainStatus.Select(c => c.Status.ToString()) ?? []);
                        return errors == SslPolicyErrors.None;
                    });
                    try
                    {
                        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = settings.Host }, ct);
                    }
                    catch (System.Security.Authentication.AuthenticationException ex)
                    {
                        var why = policyErrors == SslPolicyErrors.None ? ex.Message : $"{policyErrors}{(chainStatus.Length > 0 ? " (" + chainStatus + ")" : "")}";
                        throw new MailboxAccessException(MailboxErrorCodes.TlsFailed,
                            $"The TLS handshake with {settings.Host}:{settings.Port} failed: {why}. The server's certificate must be valid for '{settings.Host}' and trusted by this machine.", ex);
                    }

                    stream = ssl;
                    return $"{ssl.SslProtocol}, certificate '{ssl.RemoteCertificate?.Subject}' valid for {settings.Host}.";
                }, ex => Classify(MailKitImapConnector.Step.Connect, ex, request)))
            {
                return run.Finish();
            }

            AccessToken? token = null;
            if (o365 is null)
            {
                run.Skip(ConnectionTestSteps.Token, "authType is Password: no token needed.");
                run.Skip(ConnectionTestSteps.TokenSanity, "authType is Password: no token needed.");
            }
            else
            {
                if (!await run.StepAsync(ConnectionTestSteps.Token, async ct =>
                    {
                        token = await tokens.GetTokenAsync(o365, forceRefresh: false, ignoreErrorPause: true, ct);
                        return $"Entra ID issued a token for app {o365.ClientId} ({(token.FromCache ? "from the cache" : "new")}), valid until {token.ExpiresOn:yyyy-MM-dd HH:mm:ss} UTC.";
                    }, ex => ex as MailboxAccessException))
                {
                    return run.Finish();
                }

                var claims = TokenClaims.TryRead(token!.Token);
                if (claims is null)
                {
                    run.Skip(ConnectionTestSteps.TokenSanity, "The token is not a JWT, so its claims cannot be checked here; the IMAP server checks it.");
                }
                else if (claims.Check(o365) is { } problem)
                {
                    run.Fail(ConnectionTestSteps.TokenSanity, 0, problem.Code, problem.Message);
                    return run.Finish();
                }
                else
                {
                    run.Pass(ConnectionTestSteps.TokenSanity, 0, $"Audience {claims.Audience}, role {TokenClaims.ImapRole}, tenant {claims.TenantId ?? "(not in token)"}, app {claims.AppId ?? "(not in token)"}.");
                }
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
                    catch (AuthenticationException) when (token!.FromCache)
                    {
                        LogCachedTokenRejected(logger, o365.ClientId);
                        token = await tokens.GetTokenAsync(o365, forceRefresh: true, ignoreErrorPause: true, ct);
                        await client.AuthenticateAsync(new SaslMechanismOAuth2(settings.Username, token.Token), ct);
                        return $"Logged in as '{settings.Username}' with SASL XOAUTH2, after the cached token was refused and a fresh one was requested.";
                    }
                }, ex => Explain(Classify(MailKitImapConnector.Step.Login, ex, request), o365, settings.Username, recentlyConfigured)))
            {
                return run.Finish();
            }

            IMailFolder? folder = null;
            if (!await run.StepAsync(ConnectionTestSteps.Select, async ct =>
                {
                    folder = await client.GetFolderAsync(settings.Folder, ct);
                    await folder.OpenAsync(FolderAccess.ReadOnly, ct);
                    return $"Folder '{settings.Folder}': {folder.Count} messages, UIDVALIDITY {folder.UidValidity}, UIDNEXT {folder.UidNext?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(not sent)"}.";
                }, ex => Explain(Classify(MailKitImapConnector.Step.Select, ex, request), o365, settings.Username, recentlyConfigured)))
            {
                return run.Finish();
            }

            await run.StepAsync(ConnectionTestSteps.Search, async ct =>
            {
                var last = folder!.UidNext is { Id: > 1 } next ? next.Id - 1 : 1;
                var found = await folder.SearchAsync(SearchQuery.Uids(new UniqueIdRange(new UniqueId(folder.UidValidity, last), UniqueId.MaxValue)), ct);
                return $"UID SEARCH worked ({found.Count} UID at or above {last}).";
            }, ex => Explain(Classify(MailKitImapConnector.Step.Search, ex, request), o365, settings.Username, recentlyConfigured));
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

    private static MailboxAccessException Classify(MailKitImapConnector.Step step, Exception ex, ImapConnectRequest request) =>
        MailKitImapConnector.Classify(step, ex, request);

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

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Connection test: a cached token of app {ClientId} was refused; trying once with a fresh token")]
    private static partial void LogCachedTokenRejected(ILogger logger, string clientId);
}
