using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AlarmInbox.Grains.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>Credentials (password or Office 365 app registration), session opening and the connection test.</summary>
public sealed partial class MailboxGrain
{
    private const string UnreadableSecret =
        "The stored password, client secret or certificate cannot be decrypted: the data protection key ring is not the one it was stored with. Set it again with PUT.";

    private bool RecentlyConfigured =>
        S.Office365ConfiguredAt is { } at && time.GetUtcNow() - at < office365Options.Value.ExchangePropagationTime;

    /// <inheritdoc />
    public async Task<ConnectionTestResult?> TestConnectionAsync()
    {
        if (!S.Exists)
        {
            return null;
        }

        MailboxSettings settings;
        try
        {
            settings = WithSecrets();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return ConnectionTester.Failed(ConnectionTestSteps.Validate, MailboxErrorCodes.Unexpected, UnreadableSecret);
        }

        using var timeout = new CancellationTokenSource(_polling.PollTimeout);
        return await tester.RunAsync(settings, requireCredential: true, RecentlyConfigured, timeout.Token);
    }

    /// <summary>Opens a session with the stored credential: password login, or SASL XOAUTH2 with a token from MSAL.</summary>
    /// <exception cref="MailboxAccessException">Any step failed.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The key ring cannot decrypt a secret.</exception>
    private Task<IImapSession> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var settings = WithSecrets();
        var request = new ImapConnectRequest(settings.Host, settings.Port, settings.Security, settings.Username, settings.Password ?? "", settings.Folder)
        {
            PinnedCertificateSha256 = settings.PinnedCertificateSha256,
        };
        return settings.AuthType == MailboxAuthType.Office365
            ? office365.OpenAsync(request, settings.Office365!, RecentlyConfigured, cancellationToken)
            : connector.OpenAsync(request, cancellationToken);
    }

    /// <summary>The stored settings with their secrets decrypted, in memory only.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The key ring cannot decrypt a secret.</exception>
    private MailboxSettings WithSecrets()
    {
        if (!UsesAppRegistration(S.Settings.AuthType))
        {
            return S.Settings with { Password = S.ProtectedPassword is { } p ? secrets.Unprotect(p) : null };
        }

        var o365 = S.Settings.Office365!;
        return S.Settings with
        {
            Password = null,
            Office365 = o365 with
            {
                ClientSecret = S.ProtectedClientSecret is { } secret ? secrets.Unprotect(secret) : null,
                CertificatePfxBase64 = S.ProtectedCertificate is { } certificate ? secrets.Unprotect(certificate) : null,
            },
        };
    }

    private static MailboxSettings WithoutSecrets(MailboxSettings settings) => settings with
    {
        Password = null,
        Office365 = settings.Office365 is { } o365 ? o365 with { ClientSecret = null, CertificatePfxBase64 = null, CertificatePassword = null, CertificatePem = null } : null,
    };

    /// <summary>After an update: remember when the app registration changed, store a new credential, drop the other type's secrets.</summary>
    private void ApplyOffice365Update(MailboxSettings old, MailboxSettings settings)
    {
        if (settings.AuthType != old.AuthType)
        {
            // Another way of reading: a Graph mailbox starts a new numbering and a new first round (MailboxGrain.Graph.cs).
            S.Graph = null;
        }

        if (settings.Office365 is { ClientSecret: null, ClientSecretExpiresAt: null } && old.Office365?.ClientSecretExpiresAt is { } kept && S.ProtectedClientSecret is not null && !settings.Office365.HasCredential)
        {
            // The stored secret stays, and so does the date it expires.
            S.Settings = S.Settings with { Office365 = S.Settings.Office365! with { ClientSecretExpiresAt = kept } };
        }

        if (settings.AuthType != old.AuthType || old.Office365 != S.Settings.Office365)
        {
            S.Office365ConfiguredAt = UsesAppRegistration(settings.AuthType) ? time.GetUtcNow() : null;
        }

        StoreOffice365Secrets(settings);
        if (UsesAppRegistration(settings.AuthType))
        {
            S.ProtectedPassword = null;
        }
        else
        {
            S.ProtectedClientSecret = S.ProtectedCertificate = null;
        }
    }

    /// <summary>Whether the mailbox reads with an Entra ID app registration (Office365 over IMAP, or Graph) rather than a password.</summary>
    private static bool UsesAppRegistration(MailboxAuthType authType) => authType is MailboxAuthType.Office365 or MailboxAuthType.Graph;

    /// <summary>Reads the expiry of a certificate stored before <see cref="MailboxGrainState.CertificateExpiresAt"/> existed (kept in memory; written with the next state write).</summary>
    private void FillInCertificateExpiry()
    {
        if (S.ProtectedCertificate is not { } stored || S.CertificateExpiresAt is not null)
        {
            return;
        }

        try
        {
            using var certificate = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secrets.Unprotect(stored)), password: null);
            S.CertificateExpiresAt = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (CryptographicException)
        {
            // The key ring cannot decrypt it: the poll reports that; the expiry stays unknown.
        }
    }

    /// <summary>Encrypts a given Office 365 credential; a certificate is kept as PKCS#12 without password (the encryption protects it).</summary>
    private void StoreOffice365Secrets(MailboxSettings settings)
    {
        if (!UsesAppRegistration(settings.AuthType) || settings.Office365 is not { HasCredential: true } o365)
        {
            return;
        }

        if (o365.ClientSecret is { } secret)
        {
            S.ProtectedClientSecret = secrets.Protect(secret);
            S.ProtectedCertificate = null;
        }
        else
        {
            using var certificate = ClientCertificates.Load(o365);
            S.ProtectedCertificate = secrets.Protect(Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12)));
            S.CertificateExpiresAt = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            S.ProtectedClientSecret = null;
        }

        S.Office365ConfiguredAt = time.GetUtcNow();
    }
}
