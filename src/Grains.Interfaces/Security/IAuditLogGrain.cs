namespace AlarmInbox.Grains.Interfaces.Security;

/// <summary>The cluster's audit log (key <see cref="Key"/>): every entry, appended as a record and kept until it is older than <c>AlarmInbox:Retention:AuditMaxAge</c>.</summary>
[Alias("alarminbox.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    /// <summary>The only key of this grain.</summary>
    public const string Key = "audit";

    /// <summary>How many entries one <see cref="ListAsync"/> returns at most.</summary>
    public const int Capacity = 2000;

    /// <summary>Appends entries (oldest first), persisted before it returns. Nothing is dropped to make room.</summary>
    [Alias("AppendAsync")]
    Task AppendAsync(IReadOnlyList<AuditEntry> entries);

    /// <summary>The newest entries, newest first.</summary>
    /// <param name="limit">At most this many (1 to <see cref="Capacity"/>).</param>
    [Alias("ListAsync")]
    Task<IReadOnlyList<AuditEntry>> ListAsync(int limit);
}
