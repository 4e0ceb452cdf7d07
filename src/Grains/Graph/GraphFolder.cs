namespace AlarmInbox.Grains.Graph;

/// <summary>A mail folder as Microsoft Graph describes it (<c>mailFolder</c> resource).</summary>
/// <param name="Id">Its Graph id.</param>
/// <param name="DisplayName">Its display name (in the mailbox's language for well-known folders).</param>
/// <param name="TotalItemCount">Messages in it.</param>
public sealed record GraphFolder(string Id, string DisplayName, int TotalItemCount);
