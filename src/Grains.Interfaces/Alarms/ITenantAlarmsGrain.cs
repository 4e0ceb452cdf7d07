using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Ingestion;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Orleans.Concurrency;

namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>
/// The alarm pipeline of one tenant (key = tenant id): evaluation settings, evaluation of fetched mails, incident
/// merge, the alarm history (newest <c>AlarmInbox:Alarms:StoredAlarms</c>) and the hand-off to the webhook outbox.
/// Idempotent by each mail's key (mailbox id, UIDVALIDITY, UID): handing the same mail in again changes nothing.
/// </summary>
[Alias("alarminbox.ITenantAlarmsGrain")]
public interface ITenantAlarmsGrain : IGrainWithStringKey
{
    /// <summary>
    /// The recognise-and-evaluate step of the ingestion path (<c>MailIngestion</c>): recognises each mail across all paths
    /// of the tenant (by Message-ID, else by a path-independent content key), evaluates it, and stores (and hands to
    /// delivery) the resulting alarm before it returns. A mail seen before on another path or under another UID is a
    /// <see cref="IngestDisposition.Repeat"/>: a receipt on its alarm, no revision, no status change, no delivery. A mail
    /// handed in again with the same path key (a retry after a crash) is <see cref="IngestDisposition.Skipped"/>.
    /// </summary>
    /// <param name="path">The path and mailbox or inbound address that received the mails.</param>
    /// <param name="messages">The decoded mails, in UID order.</param>
    /// <returns>One outcome per mail, in order.</returns>
    [Alias("IngestFromPathAsync")]
    Task<IReadOnlyList<IngestOutcome>> IngestAsync(MailPath path, IReadOnlyList<MailMessage> messages);

    /// <summary>
    /// <see cref="IngestAsync(MailPath, IReadOnlyList{MailMessage})"/> for a mailbox or inbound address id (<c>inb-…</c> is
    /// SMTP, anything else IMAP).
    /// </summary>
    /// <param name="mailboxId">The mailbox or inbound address that received them.</param>
    /// <param name="messages">The decoded mails, in UID order.</param>
    /// <returns>How many mails made a new alarm record or an update (repeats, skipped and evaluation-off mails do not count).</returns>
    [Alias("IngestAsync")]
    Task<int> IngestAsync(string mailboxId, IReadOnlyList<MailMessage> messages);

    /// <summary>Returns the tenant's default evaluation settings. Has no side effects.</summary>
    [Alias("GetSettingsAsync")]
    [AlwaysInterleave]
    Task<EvaluationSettings> GetSettingsAsync();

    /// <summary>Replaces the tenant's default evaluation settings.</summary>
    /// <returns>
    /// The settings; or, with nothing changed, invalid input (checked here by <see cref="EvaluationSettingsValidator"/>,
    /// also with each mailbox override applied to them; fields such as <c>rules[0].pattern</c>).
    /// </returns>
    [Alias("SetSettingsAsync")]
    Task<CommandResult<EvaluationSettings>> SetSettingsAsync(EvaluationSettings settings);

    /// <summary>Returns a mailbox's override and effective settings. Has no side effects.</summary>
    [Alias("GetMailboxSettingsAsync")]
    [AlwaysInterleave]
    Task<MailboxEvaluationSettings> GetMailboxSettingsAsync(string mailboxId);

    /// <summary>
    /// Sets (or with <see langword="null"/> removes) a mailbox's override. Whether the mailbox is the tenant's is checked
    /// by the caller (the tenant grain owns the list of its mailboxes).
    /// </summary>
    /// <returns>The override and the effective settings; or, with nothing changed, invalid input (the override applied to the tenant's defaults).</returns>
    [Alias("SetMailboxSettingsAsync")]
    Task<CommandResult<MailboxEvaluationSettings>> SetMailboxSettingsAsync(string mailboxId, EvaluationOverride? settings);

    /// <summary>Lists alarms, newest (by evaluation time) first.</summary>
    [Alias("ListAsync")]
    [AlwaysInterleave]
    Task<IReadOnlyList<AlarmRecord>> ListAsync(AlarmQuery query);

    /// <summary>Returns one alarm, or <see langword="null"/>.</summary>
    [Alias("GetAsync")]
    [AlwaysInterleave]
    Task<AlarmRecord?> GetAsync(string alarmId);

    /// <summary>The rule tester: evaluates a mail with a mailbox's effective settings and returns the alarm it would produce. Stores and delivers nothing.</summary>
    /// <returns>The preview; or invalid input (field <c>$</c>, the request body) when it is empty, too large, or not a mail.</returns>
    [Alias("PreviewAsync")]
    [AlwaysInterleave]
    Task<CommandResult<AlarmPreview>> PreviewAsync(string mailboxId, AlarmTestInput input);

    /// <summary>
    /// Deletes the tenant's alarms with their history, handled mail keys, pending hand-offs, settings and mailbox overrides
    /// (tenant deletion), and closes the pipeline: a mail that was already on its way (an SMTP hand-off that had its UID
    /// before the delete) is then <see cref="IngestDisposition.TenantDeleted"/>, stored and delivered nowhere. Idempotent.
    /// </summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();

    /// <summary>Opens the pipeline for a tenant being created, also under the id of a deleted one (undoes the closing by <see cref="DeleteAsync"/>). Idempotent.</summary>
    [Alias("OpenAsync")]
    Task OpenAsync();

    /// <summary>Hands alarms that were stored but not yet handed to the webhook outbox (after a crash) to it. Idempotent; used at silo start-up.</summary>
    [Alias("EnsureHandedOffAsync")]
    Task EnsureHandedOffAsync();
}
