namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>
/// How far a mailbox has read its folder: every message with a UID up to <see cref="LastUid"/> under
/// <see cref="UidValidity"/> has been stored (RFC 3501 section 2.3.1.1).
/// </summary>
/// <param name="UidValidity">The folder's UIDVALIDITY when the watermark was set; 0 before the first successful poll.</param>
/// <param name="LastUid">The highest UID already stored (or, for a new mailbox, UIDNEXT − 1 at creation).</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.UidWatermark")]
public sealed record UidWatermark([property: Id(0)] uint UidValidity, [property: Id(1)] uint LastUid)
{
    /// <summary>The watermark of a mailbox that has not yet reached its server.</summary>
    public static UidWatermark None { get; } = new(0, 0);

    /// <summary>Whether the watermark has been set by a successful poll.</summary>
    public bool IsSet => UidValidity != 0;
}
