using AlarmInbox.Grains.Interfaces.Security;

namespace AlarmInbox.Grains.Security;

/// <summary>Legacy state (name <c>audit-log</c>): the entries the release before kept here, oldest first; moved to <see cref="IAuditStore"/> at activation.</summary>
[GenerateSerializer]
[Alias("alarminbox.AuditLogState")]
public sealed class AuditLogState
{
    [Id(0)] public List<AuditEntry> Entries { get; set; } = [];
}
