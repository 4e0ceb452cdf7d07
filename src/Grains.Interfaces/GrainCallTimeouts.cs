namespace AlarmInbox.Grains.Interfaces;

/// <summary>
/// Response timeouts of grain methods that talk to a mail server (connect, log in, fetch) and so may take longer than
/// the short default the API uses for everything else (<c>AlarmInbox:Cluster:CallTimeout</c>, 5 s). Applied with
/// <see cref="ResponseTimeoutAttribute"/> on those methods only.
/// </summary>
public static class GrainCallTimeouts
{
    /// <summary>60 s: above the longest IMAP step budget (connect 15 s + command 20 s, poll 25 s) with room for the login queue.</summary>
    public const string Mail = "00:01:00";
}
