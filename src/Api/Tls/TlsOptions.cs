namespace AlarmInbox.Api.Tls;

/// <summary>
/// HTTPS of the API from PEM files; section <c>AlarmInbox:Api:Tls</c>. Set <see cref="CertificatePath"/> and
/// <see cref="KeyPath"/> and an <c>https://</c> address in <c>Urls</c>; the files are read again when they change
/// (certificates renewed by an ACME client), and responses carry <c>Strict-Transport-Security</c> (RFC 6797).
/// </summary>
public sealed class TlsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AlarmInbox:Api:Tls";

    /// <summary>The PEM certificate file: the server certificate first, then the intermediates (an ACME client's <c>fullchain.pem</c>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key file of the certificate (PKCS#8 or the traditional RSA/EC form, unencrypted; mode 0600 or 0640 with the service's group).</summary>
    public string? KeyPath { get; set; }

    /// <summary>How often the files are checked for a change (modification time and size); a changed pair is loaded at the next TLS handshake after that.</summary>
    public TimeSpan ReloadCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>max-age</c> of the <c>Strict-Transport-Security</c> header; zero sends no header.</summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Whether HTTPS from PEM files is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
