using System.Security.Cryptography.X509Certificates;
using AlarmInbox.Silo.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Silo.Operations;

/// <summary>Configures where the Data Protection key ring lives and, when a certificate is configured, encrypts it with that certificate.</summary>
public static partial class KeyRingProtection
{
    /// <summary>The logger category of the Data Protection warning that this class replaces by its own start-up line.</summary>
    private const string KeyManagerCategory = "Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager";

    /// <summary>
    /// Adds Data Protection with the key ring in <paramref name="keyDirectory"/> (owner-only), encrypted with the
    /// certificate of <see cref="StorageOptions.KeyRingCertificatePath"/> when set. Without a certificate the library's
    /// "No XML encryptor configured" warning is replaced by one start-up line that says how the ring is protected and
    /// how to add a certificate.
    /// </summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The certificate or its key cannot be read.</exception>
    public static TBuilder AddProtectedKeyRing<TBuilder>(this TBuilder builder, StorageOptions storage, string keyDirectory)
        where TBuilder : IHostApplicationBuilder
    {
        OwnerOnlyFiles.Secure(keyDirectory);
        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName("AlarmInbox")
            .PersistKeysToFileSystem(new DirectoryInfo(keyDirectory));
        var certificate = Load(storage);
        if (certificate is not null)
        {
            // Unprotect with this certificate directly: on Linux the decryptor would otherwise look for it in the user's X509 store.
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }
        else
        {
            builder.Logging.AddFilter(KeyManagerCategory, level => level >= LogLevel.Error);
        }

        builder.Services.AddHostedService(sp => new Notice(keyDirectory, certificate, sp.GetRequiredService<ILogger<Notice>>()));
        return builder;
    }

    private static X509Certificate2? Load(StorageOptions storage) => storage.KeyRingCertificatePath switch
    {
        null or "" => null,
        var path when storage.KeyRingCertificateKeyPath is { Length: > 0 } key => X509Certificate2.CreateFromPemFile(path, key),
        var path => X509CertificateLoader.LoadPkcs12FromFile(path, storage.KeyRingCertificatePassword),
    };

    /// <summary>Logs once at start how the key ring is protected.</summary>
    private sealed partial class Notice(string keyDirectory, X509Certificate2? certificate, ILogger<Notice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (certificate is null)
            {
                LogFilePermissionsOnly(logger, keyDirectory);
            }
            else
            {
                LogCertificate(logger, keyDirectory, certificate.Thumbprint, certificate.NotAfter);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Key ring {KeyDirectory} is protected by file permissions only (owner-only); to encrypt it at rest set AlarmInbox:Storage:KeyRingCertificatePath (see docs/operations.md)")]
        private static partial void LogFilePermissionsOnly(ILogger logger, string keyDirectory);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Key ring {KeyDirectory} is encrypted with certificate {Thumbprint} (valid until {NotAfter:yyyy-MM-dd})")]
        private static partial void LogCertificate(ILogger logger, string keyDirectory, string thumbprint, DateTime notAfter);
    }
}
