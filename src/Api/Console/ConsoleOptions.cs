namespace AlarmInbox.Api.Console;

/// <summary>Settings of the web console (section <c>AlarmInbox:Console</c>).</summary>
public sealed class ConsoleOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Console";

    /// <summary>A session ends after this long without a request (sliding); 30 minutes by default, at least 1 minute.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How often the live alarm feed of a watched tenant asks the API for what its alarm stream does not carry (test-mode
    /// and rejected alarms, anything a restarted silo lost): once per tenant and API process, however many pages are
    /// open; 1 second by default (0.2 s to 60 s). New and updated alarms usually come earlier through the stream, but the
    /// stream publishes only after the alarm's hand-off to the webhook outbox, which a loaded database can delay.
    /// </summary>
    public TimeSpan FeedInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each open alarms page checks that its session's key may still read the tenant; 1 minute by default (1 s to 10 min).</summary>
    public TimeSpan FeedKeyCheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}
