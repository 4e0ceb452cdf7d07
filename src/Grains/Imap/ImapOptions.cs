namespace AlarmInbox.Grains.Imap;

/// <summary>Timeouts and limits of IMAP access; section <c>AlarmInbox:Imap</c>.</summary>
public sealed class ImapOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Imap";

    /// <summary>Longest time for TCP connect, TLS handshake, greeting and login together.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest time the server may take to answer one command.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Messages fetched per batched FETCH command.</summary>
    public int FetchBatchSize { get; set; } = 100;

    /// <summary>Most messages one poll stores; the rest follows in an immediate next poll, so that one grain turn stays short.</summary>
    public int MaxMessagesPerPoll { get; set; } = 1_000;
}
