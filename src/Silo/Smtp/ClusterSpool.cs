using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// The SMTP spool of the cluster mode on PostgreSQL: one row per accepted mail in <c>ai_smtp_spool</c> (the project's
/// schema script), committed before the 250 reply, so that the mail does not depend on the accepting silo's disk or
/// life. Each row carries a lease (<c>lease_owner</c>, <c>lease_until</c>, database time): only the owner hands the
/// mail off and deletes it; the owner renews its leases every third of <see cref="SmtpOptions.SpoolLease"/>, and any
/// silo claims the rows of a silo that the cluster declared dead, or whose lease ran out, with
/// <c>FOR UPDATE SKIP LOCKED</c>, so that each mail has one owner at a time. Mails left in the local file spool by a
/// release before this one are moved into the table at start. Failed hand-offs are counted in <c>attempts</c>; a mail
/// that failed <see cref="SmtpOptions.MaxHandOffAttempts"/> times gets <c>parked_at</c> and is neither read, renewed nor
/// claimed again.
/// </summary>
public sealed partial class ClusterSpool : ISpoolStore, IAsyncDisposable
{
    private const int ClaimBatch = 200;
    private readonly NpgsqlDataSource _source;
    private readonly string _serviceId;
    private readonly Lazy<string> _owner;
    private readonly IClusterMembershipService _membership;
    private readonly InboundSpool _local;
    private readonly IOptions<SmtpOptions> _options;
    private readonly ILogger<ClusterSpool> _logger;

    /// <summary>Creates the spool on the cluster database.</summary>
    /// <param name="connectionString">The cluster database (never logged).</param>
    /// <param name="serviceId">The Orleans service id; part of every row's key, like Orleans' own rows.</param>
    /// <param name="localSilo">This silo: its address (with generation) is the owner of the leases it holds.</param>
    /// <param name="membership">The cluster's view of which silos are dead.</param>
    /// <param name="local">The local file spool, emptied into the table at start (mails of an earlier release).</param>
    /// <param name="options">The lease duration.</param>
    /// <param name="logger">The logger.</param>
    public ClusterSpool(
        string connectionString,
        string serviceId,
        ILocalSiloDetails localSilo,
        IClusterMembershipService membership,
        InboundSpool local,
        IOptions<SmtpOptions> options,
        ILogger<ClusterSpool> logger)
    {
        _source = NpgsqlDataSource.Create(connectionString);
        _serviceId = serviceId;
        _owner = new Lazy<string>(() => localSilo.SiloAddress.ToParsableString());
        _membership = membership;
        _local = local;
        _options = options;
        _logger = logger;
    }

    /// <summary>The lease owner name of this silo (its silo address with generation).</summary>
    public string Owner => _owner.Value;

    private TimeSpan Lease => _options.Value.SpoolLease;

    /// <summary>Inserts the mail with this silo's lease and commits with <c>synchronous_commit</c> on, whatever the database's default.</summary>
    public async Task WriteAsync(SpoolEnvelope envelope, ReadOnlySequence<byte> raw, CancellationToken cancellationToken) =>
        await InsertAsync(envelope, raw.ToArray(), cancellationToken);

    /// <summary>Reads a mail this silo holds the lease of, renewing the lease; <see langword="null"/> when the row is gone or another silo holds it.</summary>
    public async Task<SpooledMail?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("""
            UPDATE ai_smtp_spool SET lease_until = now() + @lease
            WHERE service_id = @service AND spool_id = @id AND lease_owner = @owner AND parked_at IS NULL
            RETURNING envelope, raw
            """);
        AddKey(command, id);
        command.Parameters.AddWithValue("owner", Owner);
        command.Parameters.AddWithValue("lease", NpgsqlDbType.Interval, Lease);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var envelope = JsonSerializer.Deserialize<SpoolEnvelope>(reader.GetString(0))
            ?? throw new InvalidDataException($"The spool row {id} has no envelope.");
        return new SpooledMail(envelope, reader.GetFieldValue<byte[]>(1));
    }

    /// <summary>Deletes a handed-off mail, if this silo still holds its lease (a silo that took it over deletes it itself).</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("DELETE FROM ai_smtp_spool WHERE service_id = @service AND spool_id = @id AND lease_owner = @owner");
        AddKey(command, id);
        command.Parameters.AddWithValue("owner", Owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Counts a failed hand-off in <c>attempts</c>, if this silo still holds the mail.</summary>
    public async Task<int> CountFailureAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("""
            UPDATE ai_smtp_spool SET attempts = attempts + 1
            WHERE service_id = @service AND spool_id = @id AND lease_owner = @owner AND parked_at IS NULL
            RETURNING attempts
            """);
        AddKey(command, id);
        command.Parameters.AddWithValue("owner", Owner);
        return await command.ExecuteScalarAsync(cancellationToken) is int attempts ? attempts : 0;
    }

    /// <summary>Sets <c>parked_at</c> on the row (kept whole, raw message and envelope), if this silo still holds it.</summary>
    public async Task<string> ParkAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("""
            UPDATE ai_smtp_spool SET parked_at = now()
            WHERE service_id = @service AND spool_id = @id AND lease_owner = @owner AND parked_at IS NULL
            """);
        AddKey(command, id);
        command.Parameters.AddWithValue("owner", Owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return $"ai_smtp_spool row {id} (parked_at set)";
    }

    /// <summary>
    /// Moves mails left in the local file spool into the table, then claims the rows of dead silos and the rows whose
    /// lease ran out, oldest first, and returns them (with the imported ones).
    /// </summary>
    public async Task<IReadOnlyList<SpoolEntry>> TakeOverAsync(CancellationToken cancellationToken)
    {
        var entries = new List<SpoolEntry>(await ImportLocalAsync(cancellationToken));
        var dead = _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Dead)
            .Select(m => m.SiloAddress.ToParsableString())
            .ToArray();
        while (true)
        {
            var claimed = await ClaimAsync(dead, cancellationToken);
            entries.AddRange(claimed.Select(c => new SpoolEntry(c.Id, c.TenantId)));
            foreach (var previous in claimed.GroupBy(c => c.PreviousOwner, StringComparer.Ordinal))
            {
                LogClaimed(_logger, previous.Count(), previous.Key);
            }

            if (claimed.Count < ClaimBatch)
            {
                return entries;
            }
        }
    }

    /// <summary>Extends the leases of every mail this silo holds to <see cref="SmtpOptions.SpoolLease"/> from now (database time).</summary>
    /// <returns>How many leases were renewed.</returns>
    public async Task<int> RenewLeasesAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(
            "UPDATE ai_smtp_spool SET lease_until = now() + @lease WHERE service_id = @service AND lease_owner = @owner AND parked_at IS NULL");
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("owner", Owner);
        command.Parameters.AddWithValue("lease", NpgsqlDbType.Interval, Lease);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Lets the leases of this silo run out now (a graceful stop), so that other silos claim its mails at their next look.</summary>
    public async Task ReleaseLeasesAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("UPDATE ai_smtp_spool SET lease_until = now() WHERE service_id = @service AND lease_owner = @owner");
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("owner", Owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Inserts and deletes a probe row of <paramref name="bytes"/> bytes in one committed transaction.</summary>
    public async Task ProbeAsync(long bytes, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            """
            SELECT set_config('synchronous_commit', 'on', true);
            INSERT INTO ai_smtp_spool (service_id, spool_id, tenant_id, envelope, raw, accepted_by, accepted_at, lease_owner, lease_until)
            VALUES (@service, @id, '', '{}', @raw, @owner, now(), @owner, now());
            DELETE FROM ai_smtp_spool WHERE service_id = @service AND spool_id = @id;
            """, connection, transaction))
        {
            AddKey(command, "probe-" + Owner);
            command.Parameters.AddWithValue("owner", Owner);
            command.Parameters.AddWithValue("raw", new byte[Math.Clamp(bytes, 1, int.MaxValue)]);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private async Task InsertAsync(SpoolEnvelope envelope, byte[] raw, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            """
            SELECT set_config('synchronous_commit', 'on', true);
            INSERT INTO ai_smtp_spool (service_id, spool_id, tenant_id, envelope, raw, accepted_by, accepted_at, lease_owner, lease_until)
            VALUES (@service, @id, @tenant, @envelope, @raw, @owner, @acceptedAt, @owner, now() + @lease)
            ON CONFLICT (service_id, spool_id) DO NOTHING;
            """, connection, transaction))
        {
            AddKey(command, envelope.Id);
            command.Parameters.AddWithValue("tenant", envelope.Routes.FirstOrDefault()?.TenantId ?? "");
            command.Parameters.AddWithValue("envelope", JsonSerializer.Serialize(envelope));
            command.Parameters.AddWithValue("raw", raw);
            command.Parameters.AddWithValue("owner", Owner);
            command.Parameters.AddWithValue("acceptedAt", envelope.ReceivedAt);
            command.Parameters.AddWithValue("lease", NpgsqlDbType.Interval, Lease);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<List<SpoolEntry>> ImportLocalAsync(CancellationToken cancellationToken)
    {
        var imported = new List<SpoolEntry>();
        foreach (var id in _local.List())
        {
            // A file cut short by a crash before its 250 is moved to broken/ by the read, as in the embedded mode.
            if (await _local.ReadAsync(id, cancellationToken) is not { } mail)
            {
                continue;
            }

            await InsertAsync(mail.Envelope, mail.Raw, cancellationToken);
            await _local.DeleteAsync(id, cancellationToken);
            imported.Add(new SpoolEntry(id, mail.Envelope.Routes.FirstOrDefault()?.TenantId ?? ""));
        }

        if (imported.Count > 0)
        {
            LogImported(_logger, imported.Count, _local.DirectoryPath);
        }

        return imported;
    }

    private async Task<List<Claimed>> ClaimAsync(string[] deadOwners, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("""
            UPDATE ai_smtp_spool s SET lease_owner = @owner, lease_until = now() + @lease
            FROM (SELECT spool_id, lease_owner AS previous_owner
                  FROM ai_smtp_spool
                  WHERE service_id = @service AND lease_owner <> @owner AND parked_at IS NULL
                    AND (lease_until < now() OR lease_owner = ANY(@dead))
                  ORDER BY spool_id
                  LIMIT @limit
                  FOR UPDATE SKIP LOCKED) c
            WHERE s.service_id = @service AND s.spool_id = c.spool_id
            RETURNING s.spool_id, s.tenant_id, c.previous_owner
            """);
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("owner", Owner);
        command.Parameters.AddWithValue("lease", NpgsqlDbType.Interval, Lease);
        command.Parameters.AddWithValue("dead", deadOwners);
        command.Parameters.AddWithValue("limit", ClaimBatch);
        var claimed = new List<Claimed>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new Claimed(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return [.. claimed.OrderBy(c => c.Id, StringComparer.Ordinal)];
    }

    private void AddKey(NpgsqlCommand command, string id)
    {
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("id", id);
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "SMTP cluster spool: claimed {Count} mails held by {PreviousOwner} (dead, or its lease ran out)")]
    private static partial void LogClaimed(ILogger logger, int count, string previousOwner);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "SMTP cluster spool: moved {Count} mails of the local spool {Directory} into the cluster database")]
    private static partial void LogImported(ILogger logger, int count, string directory);

    private sealed record Claimed(string Id, string TenantId, string PreviousOwner);
}
