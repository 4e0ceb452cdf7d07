using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>Reads the client certificate of <see cref="Office365Settings"/> (PFX with password, or PEM with certificate and key).</summary>
public static class ClientCertificates
{
    /// <summary>Loads the certificate with its private key.</summary>
    /// <exception cref="CryptographicException">The data is not a certificate, the password is wrong, or the private key is missing.</exception>
    /// <exception cref="FormatException"><see cref="Office365Settings.CertificatePfxBase64"/> is not base64.</exception>
    public static X509Certificate2 Load(Office365Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        X509Certificate2 certificate;
        if (settings.CertificatePem is { } pem)
        {
            // Loaded through PKCS#12 so that the key is usable for signing on every platform.
            using var fromPem = X509Certificate2.CreateFromPem(pem);
            certificate = X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
        }
        else
        {
            certificate = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(settings.CertificatePfxBase64 ?? ""), settings.CertificatePassword);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new CryptographicException("The certificate has no private key.");
        }

        return certificate;
    }

    /// <summary>Returns why the certificate cannot be used, or <see langword="null"/> when it can.</summary>
    public static string? Check(Office365Settings settings)
    {
        try
        {
            using var certificate = Load(settings);
            return certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow
                ? $"The certificate (thumbprint {certificate.Thumbprint}) expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}: create a new one and upload its public part to the app registration."
                : null;
        }
        catch (FormatException)
        {
            return "office365.certificatePfxBase64 is not base64: encode the .pfx file, e.g. with 'base64 -w0 app.pfx'.";
        }
        catch (CryptographicException ex)
        {
            return settings.CertificatePem is not null
                ? $"office365.certificatePem cannot be read ({ex.Message}): give the certificate and its unencrypted private key as PEM blocks (-----BEGIN CERTIFICATE----- and -----BEGIN PRIVATE KEY-----)."
                : $"office365.certificatePfxBase64 cannot be opened ({ex.Message}): check office365.certificatePassword, and that the PFX contains the private key.";
        }
    }
}
