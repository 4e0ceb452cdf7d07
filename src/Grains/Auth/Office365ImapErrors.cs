using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using MailKit.Net.Imap;

namespace AlarmInbox.Grains.Auth;

/// <summary>
/// Explains IMAP failures of an XOAUTH2 login with Exchange Online's replies (as publicly reported): <c>NO AUTHENTICATE
/// failed.</c> for a token Exchange does not accept for this app, <c>BAD User is authenticated but not connected.</c> when
/// the app may not open the mailbox, and <c>* BYE Session invalidated - AccessTokenExpired</c> when a session outlives its token.
/// </summary>
public static class Office365ImapErrors
{
    /// <summary>Whether the server refused the token at AUTHENTICATE (so a fresh token may help once).</summary>
    public static bool IsLoginRejected(MailboxAccessException exception) =>
        exception?.Code == MailboxErrorCodes.AuthFailed;

    /// <summary>Maps <paramref name="exception"/> to an <c>o365_…</c> code when it is one of Exchange's refusals; otherwise returns it unchanged.</summary>
    /// <param name="exception">The failure from <see cref="IImapConnector"/> or a session.</param>
    /// <param name="app">The app registration.</param>
    /// <param name="username">The mailbox address.</param>
    /// <param name="recentlyConfigured">Whether the settings were saved so recently that Exchange may still be applying the setup.</param>
    public static MailboxAccessException Classify(MailboxAccessException exception, Office365Settings app, string username, bool recentlyConfigured)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(app);
        var reply = ServerText(exception);
        if (reply.Contains("AccessTokenExpired", StringComparison.OrdinalIgnoreCase))
        {
            return new(MailboxErrorCodes.Office365SessionExpired, $"Exchange ended the session of '{username}' because its token expired: {reply}", exception);
        }

        string code;
        string message;
        if (IsLoginRejected(exception))
        {
            code = MailboxErrorCodes.Office365ServicePrincipalMissing;
            message = $"Entra ID issued a token for app {app.ClientId}, but the IMAP server refused it for '{username}' ({reply}). Exchange does not know the app as a service principal of this organisation, or it was created with the wrong object id.";
        }
        else if (reply.Contains("not connected", StringComparison.OrdinalIgnoreCase))
        {
            code = MailboxErrorCodes.Office365MailboxAccessMissing;
            message = $"The login of app {app.ClientId} worked, but it may not open the mailbox '{username}' ({reply}): the app's service principal lacks FullAccess on this mailbox.";
        }
        else
        {
            return exception;
        }

        return recentlyConfigured
            ? new(MailboxErrorCodes.Office365ExchangeNotReady, $"{message} The mailbox was configured only minutes ago, and Exchange applies such changes with a delay (reported as {code} once that time has passed).", exception)
            : new(code, message, exception);
    }

    /// <summary>The server's own words in the failure: the reply text of a NO/BAD, or the exception message.</summary>
    private static string ServerText(MailboxAccessException exception)
    {
        if (exception.ServerReply is { } said)
        {
            return exception.InnerException is MailKit.Security.AuthenticationException ? $"the server refused AUTHENTICATE XOAUTH2: {said}" : said;
        }

        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is ImapCommandException command && !string.IsNullOrEmpty(command.ResponseText))
            {
                return $"{command.Response} {command.ResponseText}";
            }
        }

        return exception.InnerException is MailKit.Security.AuthenticationException refused
            ? $"the server refused AUTHENTICATE XOAUTH2: {refused.Message}"
            : exception.InnerException?.Message ?? exception.Message;
    }
}
