namespace AlarmInbox.Grains.Graph;

/// <summary>How Microsoft Graph mailboxes are read; section <c>AlarmInbox:Graph</c>.</summary>
public sealed class GraphOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Graph";

    /// <summary>
    /// Most requests one mailbox sends at once. Microsoft Graph allows an app 4 concurrent requests per mailbox
    /// (Outlook service limits, "Microsoft Graph service-specific throttling limits"); 1 to 4.
    /// </summary>
    public int MaxConcurrentRequestsPerMailbox { get; set; } = 4;

    /// <summary>Longest time one HTTP request may take (the raw MIME of a large mail included).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Messages per delta page asked for with <c>Prefer: odata.maxpagesize</c> (Graph may send fewer); 1 to 1000.</summary>
    public int DeltaPageSize { get; set; } = 100;

    /// <summary>
    /// Most new messages handed over per poll; the rest follow at once in the next poll (from the persisted page link).
    /// Keeps a poll inside <c>AlarmInbox:Polling:PollTimeout</c>.
    /// </summary>
    public int MaxMessagesPerPoll { get; set; } = 200;

    /// <summary>Most delta pages read per poll; a large folder's first round continues in the next poll.</summary>
    public int MaxPagesPerPoll { get; set; } = 50;

    /// <summary>Largest raw message fetched, in bytes; a larger one is skipped with a warning in the log (it does not stop the mailbox).</summary>
    public long MaxMessageBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>
    /// After an expired delta link (HTTP 410), messages received up to this long before the last successful round are
    /// looked at again (those already handed over are recognised by id and Message-ID).
    /// </summary>
    public TimeSpan ResyncMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a delta link that moved without new mail is written to storage (a restart then replays at most this much).</summary>
    public TimeSpan DeltaLinkSaveInterval { get; set; } = TimeSpan.FromMinutes(10);
}
