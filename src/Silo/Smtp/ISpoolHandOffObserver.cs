namespace AlarmInbox.Silo.Smtp;

/// <summary>Test hook into the hand-off of spooled mails to the grains. Throwing aborts the hand-off (the mail stays in the spool).</summary>
public interface ISpoolHandOffObserver
{
    /// <summary>Called after a mail was spooled and answered 250, before its hand-off.</summary>
    Task OnHandOffAsync(string spoolId, CancellationToken cancellationToken);

    /// <summary>Called when the mail got its UID from an inbound address, before it enters the ingestion path for that address.</summary>
    Task OnUidReservedAsync(string spoolId, string addressId, CancellationToken cancellationToken);
}
