using System.Security.Cryptography;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Inbound;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Inbound;

/// <summary>
/// One inbound address; see <see cref="IInboundAddressGrain"/>. Delivery order: message stored (with its UID and spool
/// id), then handed to the alarm pipeline. Unlike an IMAP fetch, there is no server to fetch again from once the spool
/// entry is gone, so the message is stored first; both steps are idempotent, and the spool entry is only removed after
/// both.
/// </summary>
[GrainType("inbound-address")]
public sealed partial class InboundAddressGrain(
    [PersistentState("inbound-address", StorageNames.Default)] IPersistentState<InboundAddressGrainState> state,
    InboundRouteCache cache,
    TimeProvider time,
    IOptions<InboundAddressOptions> options,
    ILogger<InboundAddressGrain> logger) : Grain, IInboundAddressGrain
{
    /// <summary>The UIDVALIDITY of every inbound address: UIDs are never reused.</summary>
    public const uint UidValidity = 1;

    private const int DeliveredWindow = 5_000;

    private InboundAddressGrainState S => state.State;

    private string AddressId => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public async Task<InboundAddressInfo> CreateAsync(string tenantId, string? description)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        if (S.Info is not null)
        {
            throw new InvalidOperationException($"The inbound address '{AddressId}' exists already.");
        }

        var directory = GrainFactory.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key);
        await directory.AddAddressAsync(tenantId, AddressId);
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
        return Current();
    }

    /// <inheritdoc />
    public Task<InboundAddressInfo?> GetAsync() => Task.FromResult(S.Info is null ? null : Current());

    /// <inheritdoc />
    public async Task<InboundAddressInfo> RotateAsync()
    {
        var info = S.Info ?? throw new InvalidOperationException($"The inbound address '{AddressId}' does not exist.");
        if (info.State == InboundAddressState.Revoked)
        {
            throw new InvalidOperationException($"The inbound address '{AddressId}' is revoked.");
        }

        var previous = S.Token;
        S.Token = NewToken();
        S.Info = info with { RotatedAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key)
            .SetTokenAsync(S.Token, new InboundRoute(info.TenantId, AddressId), previous);
        cache.Invalidate(previous);
        LogRotated(logger, info.TenantId, AddressId);
        return Current();
    }

    /// <inheritdoc />
    public async Task<InboundAddressInfo> RevokeAsync()
    {
        var info = S.Info ?? throw new InvalidOperationException($"The inbound address '{AddressId}' does not exist.");
        if (info.State != InboundAddressState.Revoked)
        {
            S.Info = info with { State = InboundAddressState.Revoked, RevokedAt = time.GetUtcNow() };
            await state.WriteStateAsync();
            LogRevoked(logger, info.TenantId, AddressId);
        }

        // Again on every call: a crash between the two writes leaves the token in the directory otherwise.
        await GrainFactory.GetGrain<IInboundAddressDirectoryGrain>(IInboundAddressDirectoryGrain.Key).RemoveTokenAsync(S.Token);
        cache.Invalidate(S.Token);
        return Current();
    }

    /// <inheritdoc />
    public async Task<bool> DeliverAsync(InboundDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var info = S.Info ?? throw new InvalidOperationException($"The inbound address '{AddressId}' does not exist.");
        var known = S.Delivered.FindIndex(d => d.Key == delivery.SpoolId);
        MailMessage message;
        var isNew = known < 0;
        if (isNew)
        {
            var uid = ++S.LastUid;
            message = delivery.Message with { UidValidity = UidValidity, Uid = uid };
            S.Messages.Add(message);
            if (S.Messages.Count > InboundLimits.StoredMessages)
            {
                S.Messages.RemoveRange(0, S.Messages.Count - InboundLimits.StoredMessages);
            }

            S.Delivered.Add(new KeyValuePair<string, uint>(delivery.SpoolId, uid));
            if (S.Delivered.Count > DeliveredWindow)
            {
                S.Delivered.RemoveRange(0, S.Delivered.Count - DeliveredWindow);
            }

            S.Info = info with { AcceptedCount = info.AcceptedCount + 1, LastReceivedAt = message.FetchedAt };
            await state.WriteStateAsync();
            LogStored(logger, info.TenantId, AddressId, uid, message.Size);
        }
        else
        {
            var uid = S.Delivered[known].Value;
            message = S.Messages.Find(m => m.Uid == uid) ?? delivery.Message with { UidValidity = UidValidity, Uid = uid };
        }

        // Idempotent by (address id, UIDVALIDITY, UID): a second hand-off after a crash changes nothing.
        await GrainFactory.GetGrain<ITenantAlarmsGrain>(info.TenantId).IngestAsync(AddressId, [message]);
        return isNew;
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
    public Task<IReadOnlyList<MailMessage>> GetMessagesAsync(int limit)
    {
        var take = Math.Clamp(limit, 1, InboundLimits.MaxMessagesPage);
        IReadOnlyList<MailMessage> result = S.Messages.AsEnumerable().Reverse().Take(take).ToList();
        return Task.FromResult(result);
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

    [LoggerMessage(EventId = 8004, Level = LogLevel.Debug, Message = "Tenant {TenantId}: inbound address {AddressId} stored UID {Uid} ({Size} bytes)")]
    private static partial void LogStored(ILogger logger, string tenantId, string addressId, uint uid, long size);
}
