using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Grains.Mailboxes;

/// <summary>The persisted config, watermark and status of a mailbox (state name <c>mailbox</c>).</summary>
[GenerateSerializer]
[Alias("alarminbox.MailboxGrainState")]
public sealed class MailboxGrainState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public string TenantId { get; set; } = "";

    /// <summary>The settings, always with <see cref="MailboxSettings.Password"/> = <see langword="null"/>.</summary>
    [Id(2)] public MailboxSettings Settings { get; set; } = new();

    /// <summary>The password, encrypted with <see cref="Secrets.ISecretProtector"/>.</summary>
    [Id(3)] public string? ProtectedPassword { get; set; }

    [Id(4)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Paused by an admin (independent of <see cref="MailboxSettings.Enabled"/>).</summary>
    [Id(5)] public bool Paused { get; set; }

    [Id(6)] public UidWatermark Watermark { get; set; } = UidWatermark.None;

    /// <summary>Messages to fetch as new when the watermark is first set.</summary>
    [Id(7)] public int PendingBackfill { get; set; }

    [Id(8)] public DateTimeOffset? LastPollAt { get; set; }

    [Id(9)] public DateTimeOffset? LastSuccessAt { get; set; }

    [Id(10)] public MailboxError? LastError { get; set; }

    [Id(11)] public long MessagesFetched { get; set; }

    [Id(12)] public int ConsecutiveFailures { get; set; }

    /// <summary>The Office 365 client secret, encrypted with <see cref="Secrets.ISecretProtector"/>.</summary>
    [Id(13)] public string? ProtectedClientSecret { get; set; }

    /// <summary>The Office 365 client certificate with its key, as PKCS#12 without password in base64, encrypted with <see cref="Secrets.ISecretProtector"/>.</summary>
    [Id(14)] public string? ProtectedCertificate { get; set; }

    /// <summary>When the Office 365 settings (app, tenant or credential) were last saved; Exchange may need a while to apply a new setup.</summary>
    [Id(15)] public DateTimeOffset? Office365ConfiguredAt { get; set; }

    /// <summary>The delta sync state of a Graph mailbox (delta link, handed-over ids); <see langword="null"/> for IMAP mailboxes and before a Graph mailbox's first round.</summary>
    [Id(16)] public Graph.GraphDeltaState? Graph { get; set; }

    /// <summary>
    /// Which mails are new when the watermark is set after the creation call (the server could not be reached then):
    /// every mail received at or after this time. Set at creation, and when the host, user or folder changes after the
    /// old one was synced. Nothing else moves it (not a settings fix, a reset failure counter, a restart or a
    /// fail-over). <see langword="null"/> in state stored before it existed, which means <see cref="CreatedAt"/>.
    /// </summary>
    [Id(17)] public DateTimeOffset? BaselineSince { get; set; }

    /// <summary>When the stored Office 365 client certificate expires (its NotAfter); filled in at activation for certificates stored before this field existed.</summary>
    [Id(18)] public DateTimeOffset? CertificateExpiresAt { get; set; }

    /// <summary>Whether <paramref name="settings"/> read the same folder of the same user on the same server as the stored settings, so that the stored UIDs still mean the same mails.</summary>
    public bool IsSameSource(MailboxSettings settings) =>
        string.Equals(Settings.Host, settings.Host, StringComparison.OrdinalIgnoreCase)
        && Settings.Port == settings.Port
        && string.Equals(Settings.Username, settings.Username, StringComparison.Ordinal)
        && string.Equals(Settings.Folder, settings.Folder, StringComparison.Ordinal);

    /// <summary>
    /// Another folder or server from <paramref name="now"/> on: its UIDs mean nothing here, so the watermark and a pending
    /// backfill are dropped. Its mails received from now on are new; if the old source was never reached, those received
    /// since the creation still are (<see cref="BaselineSince"/> stays).
    /// </summary>
    public void ChangeSource(DateTimeOffset now)
    {
        if (Watermark.IsSet)
        {
            BaselineSince = now;
        }

        Watermark = UidWatermark.None;
        PendingBackfill = 0;
    }
}
