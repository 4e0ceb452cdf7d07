namespace AlarmInbox.Grains.Interfaces.Inbound;

/// <summary>Fixed limits of inbound addresses.</summary>
public static class InboundLimits
{
    /// <summary>The most inbound addresses (active or revoked) per tenant.</summary>
    public const int MaxAddressesPerTenant = 20;

    /// <summary>The longest description, in characters.</summary>
    public const int MaxDescriptionLength = 200;

    /// <summary>The newest messages kept per inbound address.</summary>
    public const int StoredMessages = 500;

    /// <summary>The largest page of messages.</summary>
    public const int MaxMessagesPage = 500;
}
