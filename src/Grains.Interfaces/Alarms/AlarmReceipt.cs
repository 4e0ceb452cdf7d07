using AlarmInbox.Grains.Interfaces.Ingestion;

namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>One arrival of a mail that an alarm stands for: the mail that made it (or one of its updates), and every repeat of it on any path.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.AlarmReceipt")]
public sealed record AlarmReceipt
{
    /// <summary>IMAP, SMTP or Graph.</summary>
    [Id(0)] public required MailPathKind Path { get; init; }

    /// <summary>The mailbox (<c>mbx-…</c>) or inbound address (<c>inb-…</c>) that received it.</summary>
    [Id(1)] public required string SourceId { get; init; }

    /// <summary>The UIDVALIDITY on that path.</summary>
    [Id(2)] public uint UidValidity { get; init; }

    /// <summary>The UID on that path.</summary>
    [Id(3)] public uint Uid { get; init; }

    /// <summary>When AlarmInbox took it in (UTC).</summary>
    [Id(4)] public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The revision whose mail it is (a repeat carries the revision of the mail it repeats).</summary>
    [Id(5)] public required int Revision { get; init; }

    /// <summary>Whether it was a repeat (recorded only, nothing delivered).</summary>
    [Id(6)] public bool Repeat { get; init; }
}
