namespace AlarmInbox.Grains.Inbound;

/// <summary>
/// The UIDs given to spooled SMTP mails, one row per (inbound address, spool id), so that a retried hand-off of the same
/// spool entry gets the same UID and giving one costs the same however many were given before. The newest
/// <see cref="InboundAddressGrain.SpoolIdWindow"/> per address are kept (a background retention step); a spool entry is
/// handed off long before that many newer mails of its address arrive.
/// </summary>
public interface IInboundUidStore
{
    /// <summary>The UID given to <paramref name="spoolId"/> at <paramref name="addressId"/>, or <see langword="null"/> when none was given (or it has been retired).</summary>
    Task<uint?> FindAsync(string addressId, string spoolId);

    /// <summary>The highest UID given at <paramref name="addressId"/>, 0 when none.</summary>
    Task<uint> LastAsync(string addressId);

    /// <summary>Records UIDs given to spool ids, in one transaction; a spool id recorded already keeps its UID.</summary>
    Task AddAsync(string addressId, IReadOnlyList<KeyValuePair<string, uint>> given);

    /// <summary>Deletes every row of the address.</summary>
    Task DeleteOwnerAsync(string addressId);
}
