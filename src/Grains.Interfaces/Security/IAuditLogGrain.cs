namespace AlarmInbox.Grains.Interfaces.Security;

/// <summary>The cluster's audit log (key <see cref="Key"/>): the newest <see cref="Capacity"/> entries, persisted.</summary>
[Alias("alarminbox.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    /// <summary>The only key of this grain.</summary>
    public const string Key = "audit";

    /// <summary>How many entries are kept; older ones are dropped.</summary>
    public const int Capacity = 2000;

    /// <summary>Appends entries (oldest first) and drops the oldest beyond <see cref="Capacity"/>.</summary>
    [Alias("AppendAsync")]
    Task AppendAsync(IReadOnlyList<AuditEntry> entries);

    /// <summary>The newest entries, newest first.</summary>
    /// <param name="limit">At most this many (1 to <see cref="Capacity"/>).</param>
    [Alias("ListAsync")]
    Task<IReadOnlyList<AuditEntry>> ListAsync(int limit);
}
