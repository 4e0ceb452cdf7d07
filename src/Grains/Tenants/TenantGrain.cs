using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Ids;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Security;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using Microsoft.Extensions.Logging;

namespace AlarmInbox.Grains.Tenants;

/// <summary>An organisation: its name and the ids of its mailboxes. Creates and deletes mailboxes so that the set stays true.</summary>
[GrainType("tenant")]
public sealed partial class TenantGrain(
    [PersistentState("tenant", StorageNames.Default)] IPersistentState<TenantGrainState> state,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<TenantOptions> options,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    private TenantGrainState S => state.State;

    /// <inheritdoc />
    public async Task<CommandResult<TenantInfo>> CreateAsync(string? name)
    {
        var tenantId = this.GetPrimaryKeyString();
        if (CommandError.IfAny(TenantValidator.Validate(tenantId, name)) is { } invalid)
        {
            return invalid;
        }

        if (S.Exists)
        {
            return CommandError.Conflict("id", "Tenant exists.", $"A tenant with id '{tenantId}' already exists.");
        }

        // After a delete, the alarm pipeline is opened first: a crash in between leaves an open pipeline without a tenant
        // (as before any create), never a tenant whose pipeline still drops its mail as deleted.
        if (S.Deleted)
        {
            await GrainFactory.GetGrain<ITenantAlarmsGrain>(tenantId).OpenAsync();
        }

        state.State = new TenantGrainState { Exists = true, Name = name!.Trim(), CreatedAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).AddAsync(this.GetPrimaryKeyString());
        LogCreated(logger, tenantId);
        return CommandResult.Ok(Info());
    }

    /// <inheritdoc />
    public Task<TenantInfo?> GetAsync() => Task.FromResult(S.Exists ? Info() : null);

    /// <inheritdoc />
    public async Task<CommandError?> DeleteAsync(bool cascade)
    {
        var tenantId = this.GetPrimaryKeyString();
        if (!S.Exists)
        {
            return CommandError.TenantNotFound(tenantId);
        }

        if (S.MailboxIds.Count > 0 && !cascade)
        {
            return CommandError.Conflict("cascade", "Tenant has mailboxes.", $"Tenant '{tenantId}' still has mailboxes. Delete them first, or use ?cascade=true to delete them with it.");
        }

        // First what lets anything in (keys, inbound addresses, mailboxes), then the history; the tenant's own row last,
        // so a delete that fails half-way can be repeated and finishes the rest.
        await GrainFactory.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key).RevokeTenantAsync(tenantId, time.GetUtcNow());
        var inbound = GrainFactory.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key);
        foreach (var addressId in await inbound.ListAsync(tenantId))
        {
            await GrainFactory.GetGrain<IInboundAddressGrain>(addressId).DeleteAsync();
        }

        await inbound.RemoveTenantAsync(tenantId);
        foreach (var mailboxId in S.MailboxIds.ToList())
        {
            await GrainFactory.GetGrain<IMailboxGrain>(mailboxId).DeleteAsync();
            S.MailboxIds.Remove(mailboxId);
            await state.WriteStateAsync();
        }

        // The alarm pipeline before the outbox: once it is closed, no mail still on its way can hand an alarm to delivery.
        await GrainFactory.GetGrain<ITenantAlarmsGrain>(tenantId).DeleteAsync();
        await GrainFactory.GetGrain<IWebhookOutboxGrain>(tenantId).DeleteAsync();
        await GrainFactory.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).RemoveAsync(tenantId);
        state.State = new TenantGrainState { Deleted = true };
        await state.WriteStateAsync();
        LogDeleted(logger, tenantId);
        DeactivateOnIdle();
        return null;
    }

    /// <inheritdoc />
    public async Task<CommandResult<MailboxDetails>> CreateMailboxAsync(MailboxSettings settings, int backfill)
    {
        // Interleaved: the bookkeeping runs as calls of their own (one at a time with the tenant's other calls), the first
        // contact of the new mailbox (up to a minute against a silent server) holds only the mailbox grain.
        var tenantId = this.GetPrimaryKeyString();
        var self = this.AsReference<ITenantGrain>();
        var reserved = await self.ReserveMailboxAsync();
        if (reserved.Value is not { } mailboxId)
        {
            return reserved.Error!;
        }

        // The mailbox checks its settings (it owns their rules); when it refuses them, nothing of it was stored and the id
        // is taken off the list again (unless the tenant was deleted meanwhile, which emptied the list).
        var mailbox = GrainFactory.GetGrain<IMailboxGrain>(mailboxId);
        CommandResult<MailboxDetails>? created = null;
        try
        {
            created = await mailbox.CreateAsync(tenantId, settings, backfill);
        }
        finally
        {
            if (created is not { Succeeded: true } && S.Exists)
            {
                await self.ReleaseMailboxAsync(mailboxId);
            }
        }

        // Read, not asked through a call: after a delete the activation is on its way out and a call to itself would wait
        // for this one to end. Still listed: done (a tenant delete running now waits for the mailbox and deletes it too).
        if (!created.Succeeded || (S.Exists && S.MailboxIds.Contains(mailboxId)))
        {
            return created;
        }

        // The tenant (or this mailbox) was deleted while the mailbox was being created: a tenant delete that ran before the
        // mailbox existed found nothing to delete, so the mailbox is deleted here and never polls without a tenant.
        await mailbox.DeleteAsync();
        return S.Exists ? CommandError.MailboxNotFound(tenantId, mailboxId) : CommandError.TenantNotFound(tenantId);
    }

    /// <inheritdoc />
    public async Task<CommandResult<string>> ReserveMailboxAsync()
    {
        if (!S.Exists)
        {
            return CommandError.TenantNotFound(this.GetPrimaryKeyString());
        }

        var limit = options.Value.MaxMailboxes;
        if (S.MailboxIds.Count >= limit)
        {
            // Checked here, one call at a time per tenant, so concurrent creates cannot pass it together.
            return CommandError.Conflict("tenantId", "Too many mailboxes.", $"A tenant may have at most {limit} mailboxes (AlarmInbox:Tenants:MaxMailboxes).");
        }

        var mailboxId = EntityIds.New(EntityIds.Mailbox);
        S.MailboxIds.Add(mailboxId);
        await state.WriteStateAsync();
        return CommandResult.Ok(mailboxId);
    }

    /// <inheritdoc />
    public async Task ReleaseMailboxAsync(string mailboxId)
    {
        if (S.MailboxIds.Remove(mailboxId))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public async Task<CommandError?> DeleteMailboxAsync(string mailboxId)
    {
        if (!S.Exists)
        {
            return CommandError.TenantNotFound(this.GetPrimaryKeyString());
        }

        if (!S.MailboxIds.Contains(mailboxId))
        {
            return CommandError.MailboxNotFound(this.GetPrimaryKeyString(), mailboxId);
        }

        await GrainFactory.GetGrain<IMailboxGrain>(mailboxId).DeleteAsync();
        await GrainFactory.GetGrain<ITenantAlarmsGrain>(this.GetPrimaryKeyString()).SetMailboxSettingsAsync(mailboxId, null);
        S.MailboxIds.Remove(mailboxId);
        await state.WriteStateAsync();
        return null;
    }

    /// <inheritdoc />
    public Task<bool> HasMailboxAsync(string mailboxId) => Task.FromResult(S.Exists && S.MailboxIds.Contains(mailboxId));

    /// <inheritdoc />
    public async Task<IReadOnlyList<MailboxDetails>?> ListMailboxesAsync()
    {
        if (!S.Exists)
        {
            return null;
        }

        var details = await Task.WhenAll(S.MailboxIds.Select(id => GrainFactory.GetGrain<IMailboxGrain>(id).GetAsync()));
        return details.OfType<MailboxDetails>().ToList();
    }

    /// <inheritdoc />
    public async Task EnsureMailboxesRunningAsync()
    {
        if (!S.Exists)
        {
            return;
        }

        await Task.WhenAll(S.MailboxIds.Select(id => GrainFactory.GetGrain<IMailboxGrain>(id).EnsureRunningAsync()));
    }

    private TenantInfo Info() => new()
    {
        Id = this.GetPrimaryKeyString(),
        Name = S.Name,
        CreatedAt = S.CreatedAt,
        MailboxIds = S.MailboxIds.ToList(),
    };

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Tenant {TenantId} created")]
    private static partial void LogCreated(ILogger logger, string tenantId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Tenant {TenantId} deleted")]
    private static partial void LogDeleted(ILogger logger, string tenantId);
}
