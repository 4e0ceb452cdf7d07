using MimeKit;

namespace AlarmInbox.Grains.Graph;

/// <summary>A message read as raw MIME (<c>/messages/{id}/$value</c>).</summary>
/// <param name="Id">Its Graph id.</param>
/// <param name="ReceivedAt">Its <c>receivedDateTime</c>.</param>
/// <param name="Size">The raw message's size in bytes.</param>
/// <param name="Message">The parsed message.</param>
public sealed record GraphMail(string Id, DateTimeOffset? ReceivedAt, long Size, MimeMessage Message);
