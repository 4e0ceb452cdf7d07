using System.Security.Cryptography;
using AlarmInbox.Grains.Interfaces.Commands;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Inbound;

/// <summary>
/// One inbound address; see <see cref="IInboundAddressGrain"/>. A spooled mail gets its UID here first
/// (<see cref="ReserveUidAsync"/>), then goes through the one ingestion path (<c>MailIngestion</c>: decode, recognise,
/// evaluate, store), whose store step is <see cref="StoreMessagesAsync"/>; the spool entry is removed only after that.
/// The messages are records in <see cref="IMessageStore"/> (one row each), the UIDs given to spool ids records in
/// <see cref="IInboundUidStore"/>; the grain state keeps only the address, its token and its counters, so no write grows
/// with the mails already received.
/// </summary>
[GrainType("inbound-address")]
public sealed partial class InboundAddressGrain(
    [PersistentState("inbound-address", StorageNames.Default)] IPersistentState<InboundAddressGrainState> state,
    IMessageStore store,
    IInboundUidStore uids,
    InboundRouteCache cache,
    TimeProvider time,
    IOptions<InboundAddressOptions> options,
    ILogger<InboundAddressGrain> logger) : Grain, IInboundAddressGrain
{
    /// <summary>The UIDVALIDITY of every inbound address: UIDs are never reused.</summary>
    public const uint UidValidity = 1;

    /// <summary>How many of the newest spool ids per address keep their UID (retention of <see cref="IInboundUidStore"/>).</summary>
    public const int SpoolIdWindow = 5_000;

    private const int MigrationChunk = 200;

    private InboundAddressGrainState S => state.State;

    private string AddressId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Info is null)
        {
            return;
        }

        await MigrateLegacyMessagesAsync();
        await MigrateLegacySpoolIdsAsync();

        // ReserveUidAsync records a UID before the state (with LastUid) is written: the highest recorded one counts too.
        S.LastUid = Math.Max(S.LastUid, await uids.LastAsync(AddressId));
    }

    /// <inheritdoc />
    public async Task<CommandResult<InboundAddressInfo>> CreateAsync(string tenantId, string? description)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        if (S.Info is not null)
        {
            throw new InvalidOperationException($"The inbound address '{AddressId}' exists already.");
        }

        description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        if (description is { Length: > InboundLimits.MaxDescriptionLength })
        {
            return CommandError.Invalid("description", $"description must be at most {InboundLimits.MaxDescriptionLength} characters.");
        }

        // The directory owns the tenant's list and takes one call at a time: the limit holds under concurrent creates.
        var directory = GrainFactory.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key);
        if (!await directory.TryAddAddressAsync(tenantId, AddressId))
        {
            return CommandError.Conflict("tenantId", "Too many inbound addresses.", $"A tenant may have at most {InboundLimits.MaxAddressesPerTenant} inbound addresses (revoked ones count).");
        }

        var token = NewToken();
        S.Token = token;
        S.Info = new InboundAddressInfo
        {
            Id = AddressId,
            TenantId = tenantId,
            Address = "",
            Description = description,
            State = InboundAddressState.Active,
            CreatedAt = time.GetUtcNow(),
        };
        await state.WriteStateAsync();
        await directory.SetTokenAsync(token, new InboundRoute(tenantId, AddressId), previousToken: null);
        LogCreated(logger, tenantId, AddressId);
        return CommandResult.Ok(Current());
    }

    /// <inheritdoc />
    public Task<InboundAddressInfo?> GetAsync() => Task.FromResult(S.Info is null ? null : Current());

    /// <inheritdoc />
    public async Task<CommandResult<InboundAddressInfo>> RotateAsync(string tenantId)
    {
        if (S.Info is not { } info || info.TenantId != tenantId)
        {
            return CommandError.InboundAddressNotFound(tenantId, AddressId);
        }

        if (info.State == InboundAddressState.Revoked)
        {
            return CommandError.Conflict("addressId", "Inbound address revoked.", $"The inbound address '{AddressId}' is revoked and cannot be rotated; create a new one.");
        }

        var previous = S.Token;
        S.Token = NewToken();
        S.Info = info with { RotatedAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key)
            .SetTokenAsync(S.Token, new InboundRoute(info.TenantId, AddressId), previous);
        cache.Invalidate(previous);
        LogRotated(logger, info.TenantId, AddressId);
        return CommandResult.Ok(Current());
    }

    /// <inheritdoc />
    public async Task<CommandResult<InboundAddressInfo>> RevokeAsync(string tenantId)
    {
        if (S.Info is not { } info || info.TenantId != tenantId)
        {
            return CommandError.InboundAddressNotFound(tenantId, AddressId);
        }

        if (info.State != InboundAddressState.Revoked)
        {
            S.Info = info with { State = InboundAddressState.Revoked, RevokedAt = time.GetUtcNow() };
            await state.WriteStateAsync();
            LogRevoked(logger, info.TenantId, AddressId);
        }

        // Again on every call: a crash between the two writes leaves the token in the directory otherwise.
        await GrainFactory.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key).RemoveTokenAsync(S.Token);
        cache.Invalidate(S.Token);
        return CommandResult.Ok(Current());
    }

    /// <inheritdoc />
    public async Task DeleteAsync()
    {
        if (S.Info is not { } info)
        {
            return;
        }

        await GrainFactory.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key).RemoveTokenAsync(S.Token);
        cache.Invalidate(S.Token);
        await store.DeleteOwnerAsync(AddressId);
        await uids.DeleteOwnerAsync(AddressId);
        await state.ClearStateAsync();
        LogDeleted(logger, info.TenantId, AddressId);
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public async Task<uint> ReserveUidAsync(string spoolId)
    {
        ArgumentException.ThrowIfNullOrEmpty(spoolId);
        if (S.Info is null)
        {
            // Deleted with its tenant after the 250 (addresses are only ever routed to after they were created): nobody to alarm.
            LogDroppedForDeleted(logger, AddressId);
            return 0;
        }

        if (await uids.FindAsync(AddressId, spoolId) is { } known)
        {
            return known;
        }

        // The row is the reservation (one insert, whatever was received before); LastUid reaches the state with the
        // counters in StoreMessagesAsync, and activation takes the highest recorded UID, so no UID is given twice.
        var uid = S.LastUid + 1;
        await uids.AddAsync(AddressId, [new KeyValuePair<string, uint>(spoolId, uid)]);
        S.LastUid = uid;
        return uid;
    }

    /// <inheritdoc />
    public async Task<MessageStoreResult> StoreMessagesAsync(IReadOnlyList<MailMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var info = S.Info ?? throw new InvalidOperationException($"The inbound address '{AddressId}' does not exist.");
        var stored = await store.FindStoredAsync(AddressId, [.. messages.Select(m => m with { UidValidity = UidValidity })]);
        var added = new List<MailMessage>();
        foreach (var message in messages)
        {
            if (stored.Contains((UidValidity, message.Uid)) || added.Exists(m => m.Uid == message.Uid))
            {
                continue;
            }

            added.Add(message with { UidValidity = UidValidity });
            info = info with { AcceptedCount = info.AcceptedCount + 1, LastReceivedAt = message.FetchedAt };
            LogStored(logger, info.TenantId, AddressId, message.Uid, message.Size);
        }

        if (added.Count == 0)
        {
            return new MessageStoreResult(0, 0);
        }

        // The rows first: a crash before the counters are written stores nothing twice (the retry finds the rows).
        await store.AddAsync(AddressId, added);
        S.Info = info;
        await state.WriteStateAsync();
        return new MessageStoreResult(added.Count, 0);
    }

    /// <inheritdoc />
    public async Task RecordRejectionAsync()
    {
        if (S.Info is { } info)
        {
            S.Info = info with { RejectedCount = info.RejectedCount + 1, LastRejectedAt = time.GetUtcNow() };
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MailMessage>> GetMessagesAsync(int limit) =>
        store.NewestAsync(AddressId, Math.Clamp(limit, 1, InboundLimits.MaxMessagesPage), UidValidity);

    /// <summary>
    /// The release before kept the messages inside this state: moves them into the record table (idempotent by UID, so a
    /// crash before the state write repeats it harmlessly).
    /// </summary>
    private async Task MigrateLegacyMessagesAsync()
    {
        if (S.Messages.Count == 0)
        {
            return;
        }

        var count = S.Messages.Count;
        foreach (var chunk in S.Messages.Chunk(MigrationChunk))
        {
            await store.AddAsync(AddressId, chunk);
        }

        S.Messages = [];
        await state.WriteStateAsync();
        LogMigrated(logger, AddressId, count);
    }

    /// <summary>
    /// The releases before kept the window of spool ids given a UID inside this state, written whole with every mail:
    /// moves it into <see cref="IInboundUidStore"/> (a spool id recorded already keeps its UID, so a repeat is harmless).
    /// </summary>
    private async Task MigrateLegacySpoolIdsAsync()
    {
        if (S.Delivered.Count == 0)
        {
            return;
        }

        var count = S.Delivered.Count;
        foreach (var chunk in S.Delivered.Chunk(MigrationChunk))
        {
            await uids.AddAsync(AddressId, chunk);
        }

        S.Delivered = [];
        await state.WriteStateAsync();
        LogSpoolIdsMigrated(logger, AddressId, count);
    }

    private InboundAddressInfo Current() => S.Info! with { Address = $"{S.Token}@{options.Value.Domain}" };

    /// <summary>20 characters of a lower-case base-32 alphabet: 100 bits, not guessable, safe in any local part.</summary>
    private static string NewToken() => RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyz23456789", 20);

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Tenant {TenantId}: inbound address {AddressId} created")]
    private static partial void LogCreated(ILogger logger, string tenantId, string addressId);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Tenant {TenantId}: inbound address {AddressId} rotated")]
    private static partial void LogRotated(ILogger logger, string tenantId, string addressId);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information, Message = "Tenant {TenantId}: inbound address {AddressId} revoked")]
    private static partial void LogRevoked(ILogger logger, string tenantId, string addressId);

    [LoggerMessage(EventId = 3220, Level = LogLevel.Information, Message = "Tenant {TenantId}: inbound address {AddressId} deleted with its messages")]
    private static partial void LogDeleted(ILogger logger, string tenantId, string addressId);

    [LoggerMessage(EventId = 3221, Level = LogLevel.Warning, Message = "Inbound address {AddressId} is deleted: a spooled mail for it was dropped")]
    private static partial void LogDroppedForDeleted(ILogger logger, string addressId);

    [LoggerMessage(EventId = 3222, Level = LogLevel.Information, Message = "Inbound address {AddressId}: moved {Count} stored messages from the grain state into the record table")]
    private static partial void LogMigrated(ILogger logger, string addressId, int count);

    [LoggerMessage(EventId = 3280, Level = LogLevel.Information, Message = "Inbound address {AddressId}: moved {Count} spool ids with their UIDs from the grain state into the record table")]
    private static partial void LogSpoolIdsMigrated(ILogger logger, string addressId, int count);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Debug, Message = "Tenant {TenantId}: inbound address {AddressId} stored UID {Uid} ({Size} bytes)")]
    private static partial void LogStored(ILogger logger, string tenantId, string addressId, uint uid, long size);
}
