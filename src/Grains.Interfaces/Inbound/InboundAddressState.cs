namespace AlarmInbox.Grains.Interfaces.Inbound;

/// <summary>Whether an inbound address takes mail.</summary>
public enum InboundAddressState
{
    /// <summary>Mail to the address is accepted.</summary>
    Active = 0,

    /// <summary>The address was revoked: RCPT TO it is refused with 550 (RFC 5321 section 3.3); stored messages stay listable.</summary>
    Revoked = 1,
}
