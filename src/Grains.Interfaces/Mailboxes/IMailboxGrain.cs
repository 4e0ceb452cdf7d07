using AlarmInbox.Grains.Interfaces.Commands;
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
    /// <param name="tenantId">The owning tenant (called by <see cref="Tenants.ITenantGrain.CreateMailboxAsync"/>, which lists the id first).</param>
    /// <param name="settings">The settings, with a password or the Office 365 credential; checked here by <see cref="MailboxSettingsValidator"/>.</param>
    /// <param name="backfill">How many of the newest existing messages to fetch as new, 0 to <see cref="MailboxLimits.MaxBackfill"/>.</param>
    /// <returns>
    /// The created mailbox, whose status shows whether the first contact with the server worked; or invalid input
    /// (every failing field, <c>backfill</c> included), with nothing stored.
    /// </returns>
    /// <exception cref="InvalidOperationException">The mailbox already exists (ids are random: a caller's bug).</exception>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("CreateAsync")]
    Task<CommandResult<MailboxDetails>> CreateAsync(string tenantId, MailboxSettings settings, int backfill);

    /// <summary>
    /// Replaces the settings; a <see langword="null"/> password keeps the stored one (a changed auth type needs its
    /// credential). The watermark is kept, unless host, user or folder changed (then it is set again like at creation).
    /// </summary>
    /// <param name="tenantId">The tenant the caller addresses the mailbox through: another tenant's mailbox is not found.</param>
    /// <param name="settings">The new settings, checked here by <see cref="MailboxSettingsValidator"/>.</param>
    /// <returns>The updated mailbox; or, with nothing changed, not found (field <c>mailboxId</c>) or invalid input.</returns>
    [ResponseTimeout(GrainCallTimeouts.Mail)]
    [Alias("UpdateAsync")]
    Task<CommandResult<MailboxDetails>> UpdateAsync(string tenantId, MailboxSettings settings);

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
    /// <param name="tenantId">The tenant the caller addresses the mailbox through: another tenant's mailbox is not found.</param>
    /// <returns>The mailbox; or not found (field <c>mailboxId</c>).</returns>
    [Alias("PauseAsync")]
    Task<CommandResult<MailboxDetails>> PauseAsync(string tenantId);

    /// <summary>Resumes polling after <see cref="PauseAsync"/>; persisted.</summary>
    /// <param name="tenantId">The tenant the caller addresses the mailbox through: another tenant's mailbox is not found.</param>
    /// <returns>The mailbox; or not found (field <c>mailboxId</c>).</returns>
    [Alias("ResumeAsync")]
    Task<CommandResult<MailboxDetails>> ResumeAsync(string tenantId);

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
