using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Graph;

/// <summary>Where and as whom a Graph mailbox is read. Holds the app's credential in clear text: in memory only, never logged.</summary>
/// <param name="BaseUri">Microsoft Graph's v1.0 root, <c>https://{host}:{port}/v1.0/</c>.</param>
/// <param name="User">The mailbox's address or Entra object id (the <c>{id}</c> of <c>/users/{id}</c>).</param>
/// <param name="FolderPath">The configured folder: <c>Inbox</c> or a path of display names separated by <c>/</c>.</param>
/// <param name="App">The app registration with its credential and the Graph scope.</param>
/// <param name="PinnedCertificateSha256">The one server certificate to accept instead of chain validation (canonical hex), or <see langword="null"/>.</param>
public sealed record GraphMailboxTarget(Uri BaseUri, string User, string FolderPath, Office365Settings App, string? PinnedCertificateSha256)
{
    /// <summary>Builds the target of a Graph mailbox's settings (with secrets).</summary>
    public static GraphMailboxTarget From(MailboxSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var host = settings.Host.Contains(':', StringComparison.Ordinal) ? $"[{settings.Host}]" : settings.Host;
        return new GraphMailboxTarget(
            new Uri($"https://{host}:{settings.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}/v1.0/"),
            settings.Username,
            settings.Folder,
            settings.Office365 ?? throw new ArgumentException("A Graph mailbox needs its app registration.", nameof(settings)),
            settings.PinnedCertificateSha256);
    }

    /// <summary>Whether a connection test asks for it (token requests then ignore the pause after a configuration error).</summary>
    public bool IgnoreTokenErrorPause { get; init; }

    /// <summary>Returns the target without the credential.</summary>
    public override string ToString() => $"GraphMailboxTarget {{ BaseUri = {BaseUri}, User = {User}, FolderPath = {FolderPath}, ClientId = {App.ClientId} }}";
}
