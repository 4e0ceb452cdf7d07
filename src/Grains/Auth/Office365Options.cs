namespace AlarmInbox.Grains.Auth;

/// <summary>How Office 365 tokens are requested and failures paced; section <c>AlarmInbox:Office365</c>.</summary>
public sealed class Office365Options
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Office365";

    /// <summary>Longest time one token request may take (MSAL's own retry of a 5xx included).</summary>
    public TimeSpan TokenTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>After a configuration error (wrong secret, unknown app…), polls of the same app registration reuse the error for this long instead of asking Entra ID again.</summary>
    public TimeSpan ConfigurationErrorPause { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>First pause after a transient token endpoint failure without <c>Retry-After</c>; doubles per failure in a row, with ±20 % jitter.</summary>
    public TimeSpan TransientPauseMin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest pause after transient token endpoint failures.</summary>
    public TimeSpan TransientPauseMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// For this long after the Office 365 settings of a mailbox were saved, a refusal by Exchange (login or mailbox access)
    /// is reported as <c>o365_exchange_not_ready</c>: Exchange applies new service principals and permissions with a delay.
    /// </summary>
    public TimeSpan ExchangePropagationTime { get; set; } = TimeSpan.FromMinutes(30);
}
