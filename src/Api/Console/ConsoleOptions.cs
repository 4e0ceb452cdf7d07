namespace AlarmInbox.Api.Console;

/// <summary>Settings of the web console (section <c>AlarmInbox:Console</c>).</summary>
public sealed class ConsoleOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Console";

    /// <summary>A session ends after this long without a request (sliding); 30 minutes by default, at least 1 minute.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the live alarm feed asks the API for new alarms; 1 second by default (0.2 s to 10 s).</summary>
    public TimeSpan FeedInterval { get; set; } = TimeSpan.FromSeconds(1);
}
