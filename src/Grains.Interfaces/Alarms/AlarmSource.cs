namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>The mail an alarm (or one of its updates) came from; (<see cref="MailboxId"/>, <see cref="UidValidity"/>, <see cref="Uid"/>) is its idempotency key.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.AlarmSource")]
public sealed record AlarmSource
{
    /// <summary>The mailbox that fetched the mail.</summary>
    [Id(0)] public required string MailboxId { get; init; }

    /// <summary>The folder's UIDVALIDITY when fetched; 0 for the rule tester.</summary>
    [Id(1)] public required uint UidValidity { get; init; }

    /// <summary>The mail's UID; 0 for the rule tester.</summary>
    [Id(2)] public required uint Uid { get; init; }

    /// <summary>The Message-ID without angle brackets, or <see langword="null"/>.</summary>
    [Id(3)] public string? MessageId { get; init; }

    /// <summary>The sender address of the mail, or <see langword="null"/>.</summary>
    [Id(4)] public string? From { get; init; }

    /// <summary>For a forwarded mail, the sender named in its forwarded header block; otherwise <see langword="null"/>.</summary>
    [Id(5)] public string? OriginalFrom { get; init; }

    /// <summary>The decoded subject.</summary>
    [Id(6)] public string Subject { get; init; } = "";

    /// <summary>When the mail was sent (Date header), else when the server received it, else when it was fetched (UTC offset as given).</summary>
    [Id(7)] public required DateTimeOffset SentAt { get; init; }

    /// <summary>The idempotency key <c>{mailboxId}/{uidValidity}/{uid}</c>.</summary>
    public string Key => $"{MailboxId}/{UidValidity}/{Uid}";
}
