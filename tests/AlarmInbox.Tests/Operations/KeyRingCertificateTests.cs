using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AlarmInbox.Silo.Hosting;
using AlarmInbox.Silo.Operations;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AlarmInbox.Tests.Operations;

/// <summary>
/// <c>AlarmInbox:Storage:KeyRingCertificatePath</c>: the Data Protection key ring is written encrypted with the configured certificate,
/// a later start with the same certificate reads it, and without the certificate the stored secrets cannot be read.
/// </summary>
public sealed class KeyRingCertificateTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("alarminbox-keyring-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void APemCertificateEncryptsTheKeyRingAtRestAndALaterStartReadsItBack()
    {
        var storage = WritePemCertificate();
        var keys = Path.Combine(_folder, "keys");

        string protectedSecret;
        using (var first = Build(storage, keys))
        {
            protectedSecret = Protector(first).Protect("client-secret-value");
        }

        var keyFile = Assert.Single(Directory.GetFiles(keys, "key-*.xml"));
        var xml = File.ReadAllText(keyFile);
        Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal); // the clear-text master key element of an unprotected ring

        using (var second = Build(storage, keys))
        {
            Assert.Equal("client-secret-value", Protector(second).Unprotect(protectedSecret));
        }

        using var withoutCertificate = Build(new StorageOptions(), keys);
        Assert.ThrowsAny<CryptographicException>(() => Protector(withoutCertificate).Unprotect(protectedSecret));
    }

    [Fact]
    public void APkcs12CertificateWithPasswordWorksAsWell()
    {
        using var rsa = RSA.Create(2048);
        using var certificate = SelfSigned(rsa);
        var pfx = Path.Combine(_folder, "keyring.pfx");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pkcs12, "pfx-password"));
        var storage = new StorageOptions { KeyRingCertificatePath = pfx, KeyRingCertificatePassword = "pfx-password" };
        var keys = Path.Combine(_folder, "keys");

        string protectedSecret;
        using (var first = Build(storage, keys))
        {
            protectedSecret = Protector(first).Protect("imap-password");
        }

        using var second = Build(storage, keys);
        Assert.Equal("imap-password", Protector(second).Unprotect(protectedSecret));
        Assert.Contains("encryptedSecret", File.ReadAllText(Assert.Single(Directory.GetFiles(keys, "key-*.xml"))), StringComparison.Ordinal);
    }

    private StorageOptions WritePemCertificate()
    {
        using var rsa = RSA.Create(2048);
        using var certificate = SelfSigned(rsa);
        var certificatePath = Path.Combine(_folder, "keyring.crt");
        var keyPath = Path.Combine(_folder, "keyring.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return new StorageOptions { KeyRingCertificatePath = certificatePath, KeyRingCertificateKeyPath = keyPath };
    }

    private static X509Certificate2 SelfSigned(RSA rsa)
    {
        var request = new CertificateRequest("CN=alarminbox key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static IHost Build(StorageOptions storage, string keys)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddProtectedKeyRing(storage, keys);
        return builder.Build();
    }

    private static IDataProtector Protector(IHost host) =>
        host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("AlarmInbox.Tests.KeyRing");
}
