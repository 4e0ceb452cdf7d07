using AlarmInbox.Grains.Interfaces.Security;

namespace AlarmInbox.Grains.Security;

/// <summary>The persisted audit entries (state name <c>audit-log</c>), oldest first.</summary>
[GenerateSerializer]
[Alias("alarminbox.AuditLogState")]
public sealed class AuditLogState
{
    [Id(0)] public List<AuditEntry> Entries { get; set; } = [];
}
