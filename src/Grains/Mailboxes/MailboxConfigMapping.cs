using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>Maps the stored state of a mailbox to what callers see of its settings (never a secret, only whether one is stored).</summary>
public static class MailboxConfigMapping
{
    /// <summary>The settings of <paramref name="state"/> as <see cref="MailboxConfig"/>.</summary>
    /// <param name="state">The stored state.</param>
    /// <param name="id">The mailbox id.</param>
    public static MailboxConfig ToConfig(this MailboxGrainState state, string id)
    {
        ArgumentNullException.ThrowIfNull(state);
        var settings = state.Settings;
        var o365 = settings.Office365;
        return new MailboxConfig
        {
            Id = id,
            TenantId = state.TenantId,
            DisplayName = settings.DisplayName,
            Host = settings.Host,
            Port = settings.Port,
            Security = settings.Security,
            Username = settings.Username,
            HasPassword = state.ProtectedPassword is not null,
            Folder = settings.Folder,
            PollIntervalSeconds = settings.PollIntervalSeconds,
            Enabled = settings.Enabled,
            CreatedAt = state.CreatedAt,
            UseIdle = settings.UseIdle,
            AuthType = settings.AuthType,
            Office365 = o365 is null ? null : new Office365Config
            {
                Tenant = o365.Tenant,
                ClientId = o365.ClientId,
                Scope = o365.Scope,
                AuthorityHost = o365.AuthorityHost,
                HasClientSecret = state.ProtectedClientSecret is not null,
                HasCertificate = state.ProtectedCertificate is not null,
                ClientSecretExpiresAt = state.ProtectedClientSecret is null ? null : o365.ClientSecretExpiresAt,
                CertificateExpiresAt = state.ProtectedCertificate is null ? null : state.CertificateExpiresAt,
            },
            PinnedCertificateSha256 = settings.PinnedCertificateSha256,
        };
    }
}
