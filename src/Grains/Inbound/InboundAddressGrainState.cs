using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Inbound;

/// <summary>Persistent state of <see cref="InboundAddressGrain"/>.</summary>
[GenerateSerializer]
[Alias("alarminbox.InboundAddressGrainState")]
public sealed class InboundAddressGrainState
{
    /// <summary>The address as last reported (token in <see cref="Token"/>; Address is rebuilt from the configured domain).</summary>
    [Id(0)] public InboundAddressInfo? Info { get; set; }

    /// <summary>The current token (lower-case local part).</summary>
    [Id(1)] public string Token { get; set; } = "";

    /// <summary>The last UID given to an accepted mail.</summary>
    [Id(2)] public uint LastUid { get; set; }

    /// <summary>Legacy (moved to <see cref="Mailboxes.IMessageStore"/> at activation): the messages the release before kept here.</summary>
    [Id(3)] public List<MailMessage> Messages { get; set; } = [];

    /// <summary>Legacy (moved to <see cref="IInboundUidStore"/> at activation): spool ids already given a UID → that UID, which the releases before wrote whole with every mail.</summary>
    [Id(4)] public List<KeyValuePair<string, uint>> Delivered { get; set; } = [];
}
