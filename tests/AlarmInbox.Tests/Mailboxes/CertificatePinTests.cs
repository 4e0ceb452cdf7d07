using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Mailboxes;

/// <summary>IMAPS against Dovecot's self-signed certificate: refused by default, accepted only with its pinned fingerprint.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CertificatePinTests(ClusterFixture cluster)
{
    private string DovecotFingerprint
    {
        get
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(cluster.Imap.StateDirectory, "tls", "cert.pem")));
            return Convert.ToHexString(SHA256.HashData(certificate.RawData));
        }
    }

    [Fact]
    public async Task SelfSignedCertificateIsRefusedAndTheErrorShowsItsFingerprint()
    {
        var created = await CreateAsync(pin: null);

        Assert.Equal(MailboxState.Failing, created.Status.State);
        Assert.Equal(MailboxErrorCodes.TlsFailed, created.Status.LastError!.Code);
        Assert.Contains($"SHA-256 {DovecotFingerprint}", created.Status.LastError.Message);
    }

    [Fact]
    public async Task PinnedFingerprintIsAcceptedInAnyNotation()
    {
        var colons = string.Join(':', DovecotFingerprint.Chunk(2).Select(c => new string(c))).ToLowerInvariant();

        var created = await CreateAsync(pin: colons);

        Assert.Equal(MailboxState.Idle, created.Status.State);
        Assert.True(created.Status.Watermark.IsSet);
        Assert.Equal(DovecotFingerprint, created.Config.PinnedCertificateSha256);
    }

    [Fact]
    public async Task AnotherPinnedFingerprintIsRefused()
    {
        var wrong = new string('A', 64);

        var created = await CreateAsync(pin: wrong);

        Assert.Equal(MailboxErrorCodes.TlsFailed, created.Status.LastError!.Code);
        Assert.Contains($"not the pinned {wrong}", created.Status.LastError.Message);
    }

    [Theory]
    [InlineData("abc", MailboxSecurity.SslOnConnect)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", MailboxSecurity.None)]
    public void MalformedOrUselessPinIsRefusedByTheValidator(string pin, MailboxSecurity security)
    {
        var errors = MailboxSettingsValidator.Validate(
            new MailboxSettings { DisplayName = "A", Host = "imap.example.org", Username = "u", Password = "p", Security = security, PinnedCertificateSha256 = pin },
            requirePassword: true);

        Assert.Equal(["pinnedCertificateSha256"], errors.Keys);
    }

    private async Task<MailboxDetails> CreateAsync(string? pin)
    {
        var user = await cluster.Imap.CreateUserAsync();
        var tenant = cluster.Silo.Grains.GetGrain<ITenantGrain>("t-" + Guid.NewGuid().ToString("N")[..12]);
        await tenant.CreateAsync("Feuerwehr TLS");
        var created = (await tenant.CreateMailboxAsync(
            new MailboxSettings
            {
                DisplayName = "Alarm",
                Host = "127.0.0.1",
                Port = cluster.Imap.ImapsPort,
                Security = MailboxSecurity.SslOnConnect,
                Username = user,
                Password = "geheim",
                UseIdle = false,
                PinnedCertificateSha256 = pin,
            },
            backfill: 0)).Value!;
        return created!;
    }
}
