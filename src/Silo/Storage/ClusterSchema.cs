using System.Data.Common;
using Microsoft.Data.SqlClient;
using Npgsql;

namespace AlarmInbox.Silo.Storage;

/// <summary>
/// The project's own schema for the cluster providers: tables and the named queries Orleans' ADO.NET clustering,
/// persistence and reminder providers look up in <c>OrleansQuery</c> (the Orleans packages ship no SQL).
/// </summary>
public static class ClusterSchema
{
    /// <summary>The query keys the three providers read; a silo refuses to start when one of the clustering keys is missing.</summary>
    public static IReadOnlyList<string> QueryKeys { get; } =
    [
        // Persistence
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
        // Clustering
        "GatewaysQueryKey", "MembershipReadRowKey", "MembershipReadAllKey", "InsertMembershipVersionKey", "UpdateIAmAlivetimeKey",
        "InsertMembershipKey", "UpdateMembershipKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey",
        // Reminders
        "ReadReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "ReadReminderRowKey", "UpsertReminderRowKey",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    /// <summary>The schema script of <paramref name="provider"/> (<see cref="StorageProviderNames.PostgreSql"/> or <see cref="StorageProviderNames.SqlServer"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The provider has no cluster schema.</exception>
    public static string Script(string provider) => provider switch
    {
        StorageProviderNames.PostgreSql => EmbeddedScripts.Read("postgresql-cluster.sql"),
        StorageProviderNames.SqlServer => EmbeddedScripts.Read("sqlserver-cluster.sql"),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Only PostgreSql and SqlServer have a cluster schema."),
    };

    /// <summary>
    /// Creates missing tables and indexes and writes named queries whose text differs, in one transaction; safe to run at
    /// every start and from several silos at once (the script takes a lock). Changes nothing on an up-to-date database.
    /// </summary>
    /// <param name="provider">The canonical provider name.</param>
    /// <param name="connectionString">A connection string of a user that may create tables (the database owner).</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <exception cref="DbException">The database cannot be reached or refused the script.</exception>
    public static async Task EnsureCreatedAsync(string provider, string connectionString, CancellationToken cancellationToken)
    {
        var script = Script(provider);
        await using DbConnection connection = provider == StorageProviderNames.PostgreSql
            ? new NpgsqlConnection(connectionString)
            : new SqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = script;
        command.CommandTimeout = 120;
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
