using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AlarmInbox.Grains.Auth;
using AlarmInbox.Grains.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Secrets;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>
/// The credentials of a mailbox: a password, or an Entra ID app registration (client secret or certificate) for Office
/// 365 over IMAP and for Graph. Stores them encrypted in <see cref="MailboxGrainState"/>, decrypts them in memory only
/// for a session or a connection test, runs the connection test, and opens IMAP sessions with them (password login, or SASL XOAUTH2 with a token
/// from MSAL through <see cref="Office365SessionOpener"/>).
/// </summary>
/// <remarks>Stateless; registered as a singleton. Every method works on the state it is given.</remarks>
public sealed class MailboxCredentials(
    ISecretProtector secrets,
    IImapConnector connector,
    Office365SessionOpener office365,
    ConnectionTester tester,
    TimeProvider time,
    IOptions<Office365Options> office365Options)
{
    /// <summary>What the admin reads when a stored secret cannot be decrypted.</summary>
    public const string UnreadableSecret =
        "The stored password, client secret or certificate cannot be decrypted: the data protection key ring is not the one it was stored with. Set it again with PUT.";

    /// <summary>Whether the mailbox reads with an Entra ID app registration (Office365 over IMAP, or Graph) rather than a password.</summary>
    public static bool UsesAppRegistration(MailboxAuthType authType) => authType is MailboxAuthType.Office365 or MailboxAuthType.Graph;

    /// <summary><paramref name="settings"/> without any secret, as they are stored.</summary>
    public static MailboxSettings WithoutSecrets(MailboxSettings settings) => settings with
    {
        Password = null,
        Office365 = settings.Office365 is { } o365 ? o365 with { ClientSecret = null, CertificatePfxBase64 = null, CertificatePassword = null, CertificatePem = null } : null,
    };

    /// <summary>Whether the app registration was saved so recently that Exchange may not have applied it yet (<see cref="Office365Options.ExchangePropagationTime"/>).</summary>
    public bool RecentlyConfigured(MailboxGrainState state) =>
        state.Office365ConfiguredAt is { } at && time.GetUtcNow() - at < office365Options.Value.ExchangePropagationTime;

    /// <summary>The stored settings with their secrets decrypted, in memory only.</summary>
    /// <exception cref="CryptographicException">The key ring cannot decrypt a secret.</exception>
    public MailboxSettings WithSecrets(MailboxGrainState state)
    {
        if (!UsesAppRegistration(state.Settings.AuthType))
        {
            return state.Settings with { Password = state.ProtectedPassword is { } p ? secrets.Unprotect(p) : null };
        }

        var o365 = state.Settings.Office365!;
        return state.Settings with
        {
            Password = null,
            Office365 = o365 with
            {
                ClientSecret = state.ProtectedClientSecret is { } secret ? secrets.Unprotect(secret) : null,
                CertificatePfxBase64 = state.ProtectedCertificate is { } certificate ? secrets.Unprotect(certificate) : null,
            },
        };
    }

    /// <summary>Opens a session with the stored credential: password login, or SASL XOAUTH2 with a token from MSAL.</summary>
    /// <exception cref="MailboxAccessException">Any step failed.</exception>
    /// <exception cref="CryptographicException">The key ring cannot decrypt a secret.</exception>
    public Task<IImapSession> OpenSessionAsync(MailboxGrainState state, CancellationToken cancellationToken)
    {
        var settings = WithSecrets(state);
        var request = new ImapConnectRequest(settings.Host, settings.Port, settings.Security, settings.Username, settings.Password ?? "", settings.Folder)
        {
            PinnedCertificateSha256 = settings.PinnedCertificateSha256,
        };
        return settings.AuthType == MailboxAuthType.Office365
            ? office365.OpenAsync(request, settings.Office365!, RecentlyConfigured(state), cancellationToken)
            : connector.OpenAsync(request, cancellationToken);
    }

    /// <summary>Runs the connection test with the stored credential (every step, as the console shows it).</summary>
    /// <param name="state">The mailbox state.</param>
    /// <param name="cancellationToken">Ends the test.</param>
    public async Task<ConnectionTestResult> TestConnectionAsync(MailboxGrainState state, CancellationToken cancellationToken)
    {
        MailboxSettings settings;
        try
        {
            settings = WithSecrets(state);
        }
        catch (CryptographicException)
        {
            return ConnectionTester.Failed(ConnectionTestSteps.Validate, MailboxErrorCodes.Unexpected, UnreadableSecret);
        }

        return await tester.RunAsync(settings, requireCredential: true, RecentlyConfigured(state), cancellationToken);
    }

    /// <summary>Stores the credential of a new mailbox (settings already validated and normalised).</summary>
    public void StoreNew(MailboxGrainState state, MailboxSettings settings)
    {
        state.Settings = WithoutSecrets(settings);
        state.ProtectedPassword = settings.Password is { } password ? secrets.Protect(password) : null;
        StoreAppSecrets(state, settings);
    }

    /// <summary>
    /// Applies updated settings: stores them without secrets, encrypts a new password or app credential, keeps the stored
    /// one when none was sent, drops the other type's secrets, remembers when the app registration changed, and lets the
    /// cached token be renewed once (the fix may have been made outside AlarmInbox, e.g. admin consent).
    /// </summary>
    public void ApplyUpdate(MailboxGrainState state, MailboxSettings settings)
    {
        var old = state.Settings;
        state.Settings = WithoutSecrets(settings);
        if (settings.Password is not null)
        {
            state.ProtectedPassword = secrets.Protect(settings.Password);
        }

        if (settings.AuthType != old.AuthType)
        {
            // Another way of reading: a Graph mailbox starts a new numbering and a new first round.
            state.Graph = null;
        }

        if (settings.Office365 is { ClientSecret: null, ClientSecretExpiresAt: null } && old.Office365?.ClientSecretExpiresAt is { } kept && state.ProtectedClientSecret is not null && !settings.Office365.HasCredential)
        {
            // The stored secret stays, and so does the date it expires.
            state.Settings = state.Settings with { Office365 = state.Settings.Office365! with { ClientSecretExpiresAt = kept } };
        }

        if (settings.AuthType != old.AuthType || old.Office365 != state.Settings.Office365)
        {
            state.Office365ConfiguredAt = UsesAppRegistration(settings.AuthType) ? time.GetUtcNow() : null;
        }

        StoreAppSecrets(state, settings);
        if (UsesAppRegistration(settings.AuthType))
        {
            state.ProtectedPassword = null;
        }
        else
        {
            state.ProtectedClientSecret = state.ProtectedCertificate = null;
        }

        if (state.Settings.Office365 is { } app)
        {
            office365.Forget(app);
        }
    }

    /// <summary>Reads the expiry of a certificate stored before <see cref="MailboxGrainState.CertificateExpiresAt"/> existed (kept in memory; written with the next state write).</summary>
    public void FillInCertificateExpiry(MailboxGrainState state)
    {
        if (state.ProtectedCertificate is not { } stored || state.CertificateExpiresAt is not null)
        {
            return;
        }

        try
        {
            using var certificate = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secrets.Unprotect(stored)), password: null);
            state.CertificateExpiresAt = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (CryptographicException)
        {
            // The key ring cannot decrypt it: the poll reports that; the expiry stays unknown.
        }
    }

    /// <summary>When the credential of an app registration expires, for the expiry metric; <see langword="null"/> for passwords or when unknown.</summary>
    public static DateTimeOffset? CredentialExpiresAt(MailboxGrainState state) =>
        !UsesAppRegistration(state.Settings.AuthType) ? null
        : state.ProtectedCertificate is not null ? state.CertificateExpiresAt
        : state.ProtectedClientSecret is not null ? state.Settings.Office365?.ClientSecretExpiresAt
        : null;

    /// <summary>Encrypts a given app credential; a certificate is kept as PKCS#12 without password (the encryption protects it).</summary>
    private void StoreAppSecrets(MailboxGrainState state, MailboxSettings settings)
    {
        if (!UsesAppRegistration(settings.AuthType) || settings.Office365 is not { HasCredential: true } o365)
        {
            return;
        }

        if (o365.ClientSecret is { } secret)
        {
            state.ProtectedClientSecret = secrets.Protect(secret);
            state.ProtectedCertificate = null;
        }
        else
        {
            using var certificate = ClientCertificates.Load(o365);
            state.ProtectedCertificate = secrets.Protect(Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12)));
            state.CertificateExpiresAt = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            state.ProtectedClientSecret = null;
        }

        state.Office365ConfiguredAt = time.GetUtcNow();
    }
}
