using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Imap;

/// <summary>Where and how to log in, and which folder to open.</summary>
/// <param name="Host">The IMAP server.</param>
/// <param name="Port">Its TCP port.</param>
/// <param name="Security">Transport security.</param>
/// <param name="Username">The login name.</param>
/// <param name="Password">The password, in clear text in memory only ("" when <see cref="AccessToken"/> is used).</param>
/// <param name="Folder">The folder to select (read-only).</param>
public sealed record ImapConnectRequest(string Host, int Port, MailboxSecurity Security, string Username, string Password, string Folder)
{
    /// <summary>An OAuth 2.0 bearer token; when set, the login is SASL XOAUTH2 instead of the password.</summary>
    public string? AccessToken { get; init; }

    /// <summary>The SHA-256 fingerprint (canonical, 64 hex digits) of the only server certificate to accept; <see langword="null"/> validates normally.</summary>
    public string? PinnedCertificateSha256 { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"ImapConnectRequest {{ Host = {Host}, Port = {Port}, Security = {Security}, Username = {Username}, Folder = {Folder} }}";
}
