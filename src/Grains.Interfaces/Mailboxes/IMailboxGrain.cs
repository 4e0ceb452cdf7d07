using AlarmInbox.Grains.Interfaces.Diagnostics;
using Orleans.Concurrency;

namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>
/// One watched IMAP mailbox, keyed by an opaque id (<c>mbx-…</c>). It persists its config and UID watermark,
/// polls on a grain timer at the configured interval, and keeps a reminder (1 minute) so that it comes back
/// after deactivation or the loss of its silo.
/// </summary>
[Alias("alarminbox.IMailboxGrain")]
public interface IMailboxGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the mailbox, then tries a first poll that sets its watermark to the folder's current UIDNEXT
    /// (mails already there are not new), less <paramref name="backfill"/> messages.
    /// </summary>
    /// <param name="tenantId">The owning tenant.</param>
    /// <param name="settings">Valid settings with a password (see <see cref="MailboxSettingsValidator"/>).</param>
    /// <param name="backfill">How many of the newest existing messages to fetch as new, 0 to <see cref="MailboxLimits.MaxBackfill"/>.</param>
    /// <returns>The created mailbox; its status shows whether the first contact with the server worked.</returns>
    /// <exception cref="ArgumentException">The settings are invalid.</exception>
    /// <exception cref="InvalidOperationException">The mailbox already exists.</exception>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("CreateAsync")]
    Task<MailboxDetails> CreateAsync(string tenantId, MailboxSettings settings, int backfill);

    /// <summary>Replaces the settings; a <see langword="null"/> password keeps the stored one. The watermark is kept, unless host, user or folder changed (then it is set again like at creation).</summary>
    /// <returns>The updated mailbox, or <see langword="null"/> if it does not exist.</returns>
    /// <exception cref="ArgumentException">The settings are invalid.</exception>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("UpdateAsync")]
    Task<MailboxDetails?> UpdateAsync(MailboxSettings settings);

    /// <summary>Returns config and status, or <see langword="null"/> if the mailbox does not exist. Has no side effects; answers while a poll runs.</summary>
    [Alias("GetAsync")]
    [AlwaysInterleave]
    Task<MailboxDetails?> GetAsync();

    /// <summary>Deletes config, watermark and stored messages, and stops polling.</summary>
    /// <returns><see langword="false"/> if the mailbox did not exist.</returns>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("DeleteAsync")]
    Task<bool> DeleteAsync();

    /// <summary>Polls now (even when paused) and returns what the poll did.</summary>
    /// <returns>The result, or <see langword="null"/> if the mailbox does not exist.</returns>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("PollNowAsync")]
    Task<PollResult?> PollNowAsync();

    /// <summary>Stops polling until <see cref="ResumeAsync"/>; persisted.</summary>
    [Alias("PauseAsync")]
    Task<MailboxDetails?> PauseAsync();

    /// <summary>Resumes polling after <see cref="PauseAsync"/>; persisted.</summary>
    [Alias("ResumeAsync")]
    Task<MailboxDetails?> ResumeAsync();

    /// <summary>Returns the newest stored messages, newest (highest UID) first.</summary>
    /// <param name="limit">1 to <see cref="MailboxLimits.MaxMessagesPage"/>.</param>
    /// <returns>The messages, or <see langword="null"/> if the mailbox does not exist.</returns>
    [Alias("GetMessagesAsync")]
    [AlwaysInterleave]
    Task<IReadOnlyList<MailMessage>?> GetMessagesAsync(int limit);

    /// <summary>Activates the mailbox so that it resumes polling (used at silo start-up, where reminders are not durable). Idempotent.</summary>
    [Alias("EnsureRunningAsync")]
    Task EnsureRunningAsync();

    /// <summary>Runs the connection test (see <see cref="ConnectionTestSteps"/>) with the stored settings and secrets. Changes neither the status nor the watermark.</summary>
    /// <returns>The result, or <see langword="null"/> if the mailbox does not exist.</returns>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("TestConnectionAsync")]
    Task<ConnectionTestResult?> TestConnectionAsync();
}
