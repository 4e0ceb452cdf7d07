namespace AlarmInbox.Silo.Smtp;

/// <summary>A spooled mail waiting for its hand-off.</summary>
/// <param name="Id">The spool id.</param>
/// <param name="TenantId">The tenant of its first inbound address (whose turn it waits for); "" when unknown (an entry cut short).</param>
public sealed record SpoolEntry(string Id, string TenantId);
