namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>
/// An alarm: the evaluated mail, or several mails of one incident merged by their incident number. Also the item
/// type of the alarm stream (<see cref="AlarmStreams"/>).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.AlarmRecord")]
public sealed record AlarmRecord
{
    /// <summary>The alarm id, <c>alm-</c> and 16 characters; derived from the first mail's idempotency key.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>The tenant.</summary>
    [Id(1)] public required string TenantId { get; init; }

    /// <summary>The status.</summary>
    [Id(2)] public required AlarmStatus Status { get; init; }

    /// <summary>1 for a new alarm; increases by one with each update. Together with <see cref="Id"/> the delivery's idempotency key.</summary>
    [Id(3)] public required int Revision { get; init; }

    /// <summary>The latest mail of the alarm (the first one for a new alarm).</summary>
    [Id(4)] public required AlarmSource Source { get; init; }

    /// <summary>When the first mail was fetched (UTC).</summary>
    [Id(5)] public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>When the latest mail was evaluated (UTC).</summary>
    [Id(6)] public required DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>The keyword (Stichwort) of the latest mail that had one.</summary>
    [Id(7)] public string? Keyword { get; init; }

    /// <summary>The alarm text of the latest mail.</summary>
    [Id(8)] public string Text { get; init; } = "";

    /// <summary>The fields of all mails of the alarm, later values winning.</summary>
    [Id(9)] public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    /// <summary>The incident number (Einsatznummer), or <see langword="null"/>.</summary>
    [Id(10)] public string? IncidentNumber { get; init; }

    /// <summary>The position, or <see langword="null"/>.</summary>
    [Id(11)] public GeoPosition? Position { get; init; }

    /// <summary>Why the mail is not an alarm, for <see cref="AlarmStatus.Rejected"/>.</summary>
    [Id(12)] public AlarmRejection? Rejection { get; init; }

    /// <summary>Whether the latest mail came late (see <see cref="EvaluationSettings.LateAfterMinutes"/>).</summary>
    [Id(13)] public bool Late { get; init; }

    /// <summary>The custom rules that matched the latest mail.</summary>
    [Id(14)] public IReadOnlyList<string> MatchedRules { get; init; } = [];

    /// <summary>Rules that timed out or failed on the latest mail.</summary>
    [Id(15)] public IReadOnlyList<RuleError> RuleErrors { get; init; } = [];

    /// <summary>Every mail of the alarm, oldest first (at least one).</summary>
    [Id(16)] public IReadOnlyList<AlarmRevision> History { get; init; } = [];

    /// <summary>
    /// Every arrival of the alarm's mails, oldest first, at most <see cref="AlarmLimits.MaxReceipts"/>: the first mail, each
    /// update, and each repeat of one of them over any path of the tenant (another mailbox, an inbound address, IMAP or SMTP).
    /// A repeat creates no revision, changes no status and is not delivered. Empty for alarms stored before receipts existed.
    /// </summary>
    [Id(17)] public IReadOnlyList<AlarmReceipt> Receipts { get; init; } = [];

    /// <summary>Whether the alarm is delivered (status <see cref="AlarmStatus.New"/> or <see cref="AlarmStatus.Updated"/>).</summary>
    public bool IsDeliverable => Status is AlarmStatus.New or AlarmStatus.Updated;
}
