namespace AlarmInbox.Grains.Graph;

/// <summary>One entry of a delta page.</summary>
/// <param name="Id">The message's Graph id.</param>
/// <param name="ReceivedAt">Its <c>receivedDateTime</c>, when Graph sent one.</param>
/// <param name="Removed">Whether it is an <c>@removed</c> entry (deleted or moved out of the folder).</param>
public sealed record GraphMessageRef(string Id, DateTimeOffset? ReceivedAt, bool Removed);
