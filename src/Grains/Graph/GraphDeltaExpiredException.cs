namespace AlarmInbox.Grains.Graph;

/// <summary>Microsoft Graph no longer knows the delta or page link (HTTP 410 Gone, <c>syncStateNotFound</c>): the round must start again without it.</summary>
/// <param name="message">Graph's error code and text.</param>
public sealed class GraphDeltaExpiredException(string message) : Exception(message);
