namespace AlarmInbox.Api.Console;

/// <summary>Names of the console's session: cookie scheme, policy, and where the API key is kept.</summary>
public static class ConsoleAuth
{
    /// <summary>The cookie authentication scheme of the console.</summary>
    public const string Scheme = "Console";

    /// <summary>The policy of every console page except the sign-in: a console session.</summary>
    public const string Policy = "console";

    /// <summary>The session cookie's name.</summary>
    public const string CookieName = "alarminbox.session";

    /// <summary>
    /// The item of the authentication properties that holds the API key. The properties stay on the server
    /// (<see cref="Sessions.ConsoleSessionStore"/>); the cookie carries only an encrypted session id.
    /// </summary>
    internal const string KeyItem = ".alarminbox.key";
}
