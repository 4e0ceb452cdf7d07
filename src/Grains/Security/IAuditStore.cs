using AlarmInbox.Grains.Interfaces.Security;

namespace AlarmInbox.Grains.Security;

/// <summary>
/// Where audit entries are kept as records (one row each), so that appending one costs the same however long the log
/// is, and no volume of requests pushes an entry out (retention is by age only). <see cref="AuditLogGrain"/> writes through it.
/// </summary>
public interface IAuditStore
{
    /// <summary>Appends entries (oldest first) in one transaction.</summary>
    Task AppendAsync(IReadOnlyList<AuditEntry> entries);

    /// <summary>The newest entries, newest first; at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditEntry>> ListNewestAsync(int limit);
}
