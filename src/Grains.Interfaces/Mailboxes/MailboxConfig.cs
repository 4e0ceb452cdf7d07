namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>The readable configuration of a mailbox: <see cref="MailboxSettings"/> without any secret.</summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.MailboxConfig")]
public sealed record MailboxConfig
{
    /// <summary>The mailbox id (opaque, e.g. <c>mbx-7k2q…</c>).</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>The tenant the mailbox belongs to.</summary>
    [Id(1)] public required string TenantId { get; init; }

    /// <summary>See <see cref="MailboxSettings.DisplayName"/>.</summary>
    [Id(2)] public required string DisplayName { get; init; }

    /// <summary>See <see cref="MailboxSettings.Host"/>.</summary>
    [Id(3)] public required string Host { get; init; }

    /// <summary>See <see cref="MailboxSettings.Port"/>.</summary>
    [Id(4)] public required int Port { get; init; }

    /// <summary>See <see cref="MailboxSettings.Security"/>.</summary>
    [Id(5)] public required MailboxSecurity Security { get; init; }

    /// <summary>See <see cref="MailboxSettings.Username"/>.</summary>
    [Id(6)] public required string Username { get; init; }

    /// <summary>Whether a password is stored (the password itself is never returned).</summary>
    [Id(7)] public required bool HasPassword { get; init; }

    /// <summary>See <see cref="MailboxSettings.Folder"/>.</summary>
    [Id(8)] public required string Folder { get; init; }

    /// <summary>Seconds between two polls.</summary>
    [Id(9)] public required int PollIntervalSeconds { get; init; }

    /// <summary>Whether the mailbox is polled.</summary>
    [Id(10)] public required bool Enabled { get; init; }

    /// <summary>When the mailbox was created (UTC).</summary>
    [Id(11)] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>See <see cref="MailboxSettings.UseIdle"/>.</summary>
    [Id(12)] public bool UseIdle { get; init; } = true;

    /// <summary>See <see cref="MailboxSettings.AuthType"/>.</summary>
    [Id(13)] public MailboxAuthType AuthType { get; init; }

    /// <summary>The app registration of an <see cref="MailboxAuthType.Office365"/> mailbox, without secrets; <see langword="null"/> otherwise.</summary>
    [Id(14)] public Office365Config? Office365 { get; init; }

    /// <summary>See <see cref="MailboxSettings.PinnedCertificateSha256"/> (canonical form), or <see langword="null"/>.</summary>
    [Id(15)] public string? PinnedCertificateSha256 { get; init; }
}
